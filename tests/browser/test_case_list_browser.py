"""The agent's case list in Chromium: "older" appends the next 50 in place, the filters
survive back and forward, and the page's assets come from the cache on the next visit.

A fresh agent with 60 filings (55 submitted, 5 accepted) is put into the live
server's database by ``tests.ui.case_seed``, run with the server's environment.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Paging-browser-2026"


def seed(live_server, *specs: str) -> tuple[str, list[list[str]]]:
    username = f"pager-{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.case_seed", username, PASSWORD, *specs],
        env=live_server.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    rows = [line.split() for line in done.stdout.splitlines() if line.strip()]
    return username, rows


async def login(page, username: str) -> None:
    await page.goto("/login")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(lambda url: "/login" not in url)


async def test_older_cases_are_appended_in_place(new_page, live_server):
    username, filed = seed(live_server, "submitted:-:55", "accepted:-:5")
    page = await new_page()
    await login(page, username)
    await page.goto("/workbench/cases")
    codes = page.locator("#case-list a.code")
    assert await codes.count() == 50
    await page.evaluate("window.stayed = true")  # gone if the page were reloaded
    await page.get_by_role("link", name="更早的办件").click()
    await page.wait_for_function("document.querySelectorAll('#case-list a.code').length === 60")
    assert await page.evaluate("window.stayed === true"), "appended, not a new page"
    assert page.url.endswith("/workbench/cases")
    shown = await codes.all_inner_texts()
    assert shown == [code for _, code, *_ in reversed(filed)]
    assert await page.get_by_role("link", name="更早的办件").count() == 0


async def test_back_and_forward_show_the_filter_the_url_names(new_page, live_server):
    username, _ = seed(live_server, "submitted:-:4", "accepted:-:3")
    page = await new_page()
    await login(page, username)
    await page.goto("/workbench/cases")
    state = page.locator("#f-state")
    assert await state.input_value() == ""

    await state.select_option("accepted")  # htmx swaps the list and pushes the URL
    await page.wait_for_url("**/workbench/cases?state=accepted&light=")
    await page.wait_for_function("document.querySelectorAll('#case-list a.code').length === 3")

    await page.go_back()
    await page.wait_for_url("**/workbench/cases")
    await page.wait_for_function("document.querySelectorAll('#case-list a.code').length === 7")
    assert await state.input_value() == ""

    await page.go_forward()
    await page.wait_for_url("**/workbench/cases?state=accepted&light=")
    await page.wait_for_function("document.querySelectorAll('#case-list a.code').length === 3")
    assert await state.input_value() == "accepted", "the filter shows what the list shows"


async def test_a_second_visit_takes_the_assets_from_the_cache(new_page, live_server):
    page = await new_page()
    fetched: list[str] = []
    page.on(
        "requestfinished",
        lambda request: fetched.append(request.url) if "/static/" in request.url else None,
    )
    await page.goto("/login")
    await page.wait_for_load_state("load")
    assert len(fetched) == 3, fetched  # app.css, htmx and forms.js, once
    fetched.clear()
    await page.goto("/status/")
    await page.goto("/guide/")
    await page.wait_for_load_state("load")
    # Served from the browser's cache: no request leaves the tablet.
    network = await page.evaluate(
        "performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/static/')).map(e => e.transferSize)"
    )
    assert network and all(size == 0 for size in network), network
