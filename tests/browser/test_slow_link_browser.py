"""A township window on a slow line (400 kbit/s, 400 ms each way), as Chromium emulates it.

A clerk who taps "受理" and, seeing nothing happen yet, taps it again must get the
acceptance, not an error saying the case can no longer be accepted: the second tap is not
sent (core/web/static/forms.js).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys

SLOW = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400 * 1024 / 8,
    "uploadThroughput": 400 * 1024 / 8,
}


async def seed_case(live_server, code: str) -> int:
    """A case filed at 麻柳村 waiting at 赶水镇's window (the demo clerk's)."""
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.browser.seed", f"509910101201:509910101000-BM:{code}"],
        env={"PICCOLO_CONF": "core.piccolo_conf", **live_server.env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout.split("=")[1])


async def slow_line(page) -> None:
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Network.enable")
    await cdp.send("Network.emulateNetworkConditions", SLOW)


async def test_a_second_tap_on_accept_over_a_slow_line_sends_nothing(new_page, live_server):
    case_id = await seed_case(live_server, "SLOWTAP00000000001")
    clerk = await new_page()
    await clerk.goto("/login")
    await clerk.fill("#username", "clerk")
    await clerk.fill("#password", "demo-clerk")
    await clerk.click("form[action='/login'] button[type=submit]")
    await clerk.wait_for_url(lambda url: "/login" not in url)
    await slow_line(clerk)
    await clerk.goto(f"/cases/{case_id}")

    posts: list[str] = []
    clerk.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    accept = clerk.locator("form.action-accept")
    await accept.locator("textarea").fill("材料齐全")
    # Two taps 300 ms apart: the first one's answer is still on its way.
    await accept.get_by_role("button").evaluate(
        "b => { b.click(); setTimeout(() => b.click(), 300); }"
    )
    await clerk.wait_for_timeout(600)
    await clerk.wait_for_load_state("networkidle")

    assert len([url for url in posts if url.endswith(f"/cases/{case_id}/act")]) == 1, posts
    assert await clerk.locator(".alert").count() == 0, await clerk.locator(".alert").inner_text()
    history = await clerk.locator("ol.timeline").inner_text()
    assert "已受理" in history, history
