"""The agent's case list on a slow line: the 50 newest a page, an "older" link that
appends the next page (htmx) or opens it (no JS), the filters kept on every page and
the filter's counts those of all the agent's cases, not of the page shown."""

from __future__ import annotations

import re
import uuid

from tests.helpers import Browser
from tests.ui import case_seed, flows

HTMX_MORE = {"HX-Request": "true", "HX-Target": "case-more"}


def _codes(html: str) -> list[str]:
    return re.findall(r'class="code">([0-9X]{18})<', html)


def _older(html: str) -> str | None:
    """The "older" link's URL, or None when the page is the last."""
    match = re.search(r'<a rel="next" href="([^"]+)"', html)
    return match.group(1).replace("&amp;", "&") if match else None


async def _agent_with_filings(new_browser, specs, *, resident_for=None):
    """A fresh agent (nobody else's cases in the way), logged in, with ``specs`` filed."""
    username, password = f"pager-{uuid.uuid4().hex[:8]}", "Paging-list-2026"
    staff = await case_seed.new_agent(username, password)
    agent: Browser = await new_browser()
    await agent.login(username, password)
    resident = None
    if resident_for:
        resident = await flows.register(
            agent, resident_for, flows.new_id_number("19700305"), flows.new_phone()
        )
    filed = await case_seed.file_bare(staff, specs, resident=resident)
    return agent, filed, resident


async def test_the_case_list_pages_by_50_and_the_older_link_reaches_every_case(new_browser):
    agent, filed, _ = await _agent_with_filings(
        new_browser, [("submitted", "", 100), ("accepted", "red", 20)]
    )
    newest_first = [c["code"] for c in reversed(filed)]

    first = await agent.get("/workbench/cases")
    assert first.status_code == 200
    assert _codes(first.text) == newest_first[:50]
    older = _older(first.text)
    assert older == f"/workbench/cases?before={filed[-50]['id']}"
    assert "更早的办件" in first.text
    assert "最新的办件" not in first.text  # already on the newest page
    # The filter's counts are the agent's whole list, not the page's.
    assert "已提交 (100)" in first.text and "已受理 (20)" in first.text

    # Without JavaScript the link opens the next page, a whole page with its filter.
    second = await agent.get(older)
    assert second.status_code == 200 and "<html" in second.text
    assert _codes(second.text) == newest_first[50:100]
    assert "已提交 (100)" in second.text and "已受理 (20)" in second.text
    assert 'href="/workbench/cases">← 最新的办件' in second.text

    # With htmx, "older" answers with the next rows only, to append to the table.
    third = await agent.get(_older(second.text), headers=HTMX_MORE)
    assert third.status_code == 200
    assert "<html" not in third.text and "<table" not in third.text
    assert third.text.lstrip().startswith("<tr")
    assert _codes(third.text) == newest_first[100:]
    assert _older(third.text) is None, "the last page has no older link"
    assert len(set(_codes(first.text + second.text + third.text))) == 120


async def test_state_light_and_resident_filters_are_kept_across_pages(new_browser):
    agent, filed, resident = await _agent_with_filings(
        new_browser,
        [("submitted", "red", 70), ("submitted", "green", 30), ("accepted", "red", 10)],
        resident_for="秦分页",
    )
    wanted = [
        c["code"] for c in reversed(filed) if c["state"] == "submitted" and c["light"] == "red"
    ]
    query = f"state=submitted&light=red&resident={resident}"

    first = await agent.get(f"/workbench/cases?{query}")
    assert first.status_code == 200
    assert _codes(first.text) == wanted[:50]
    older = _older(first.text)
    assert older == f"/workbench/cases?{query}&before={filed_id(filed, wanted[49])}"
    assert "已提交 (100)" in first.text and "已超期 (80)" in first.text  # this resident's counts

    rest = await agent.get(older, headers=HTMX_MORE)
    assert _codes(rest.text) == wanted[50:70] and _older(rest.text) is None

    # Changing the filter (htmx swaps the list) starts again from the newest.
    swapped = await agent.get(
        f"/workbench/cases?state=accepted&resident={resident}",
        headers={"HX-Request": "true", "HX-Target": "case-list"},
    )
    assert "<html" not in swapped.text and 'id="case-list"' in swapped.text
    assert _codes(swapped.text) == [c["code"] for c in reversed(filed) if c["state"] == "accepted"]
    assert _older(swapped.text) is None

    # Another resident's filter on the same agent: none of these.
    other = await flows.register(
        agent, "秦其他", flows.new_id_number("19700306"), flows.new_phone()
    )
    assert _codes((await agent.get(f"/workbench/cases?resident={other}")).text) == []


async def test_a_bad_cursor_shows_the_newest_page(new_browser):
    agent, filed, _ = await _agent_with_filings(new_browser, [("submitted", "", 3)])
    newest_first = [c["code"] for c in reversed(filed)]
    for before in ("abc", "-5", "9" * 30, ""):
        page = await agent.get("/workbench/cases", params={"before": before})
        assert page.status_code == 200
        assert _codes(page.text) == newest_first
    older = await agent.get("/workbench/cases", params={"before": filed[1]["id"]})
    assert _codes(older.text) == [filed[0]["code"]]


def filed_id(filed: list[dict], code: str) -> int:
    return next(c["id"] for c in filed if c["code"] == code)
