"""The workbench's short lists (results to hand back, the window's tray) show the oldest
ones up to a cap, and say how many more are waiting instead of dropping them silently."""

from __future__ import annotations

import re

from core.workbench import services
from tests.ui import flows
from tests.ui.conftest import speaking


def _rows(html: str, table_id: str, row_prefix: str) -> int:
    found = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    return len(re.findall(rf'<tr id="{row_prefix}', found.group(1))) if found else 0


async def _issued(filer, clerk, approver, resident_id: int) -> None:
    case_id, _ = await flows.file_pension(filer, resident_id, {})
    await flows.post(clerk, f"/cases/{case_id}/act", {"action": "accept"})
    await flows.post(approver, f"/cases/{case_id}/act", {"action": "approve"})


def _hand_back(html: str) -> str:
    start = html.index('id="back-h"')
    return html[start : html.index("</section>", start)]


async def test_the_short_lists_say_how_many_more_wait_beyond_the_cap(people, monkeypatch):
    agent, clerk, approver = await people("agent"), await people("clerk"), await people("approver")
    for n in range(2):
        walk_in = await flows.register(
            clerk, f"窗{n}", flows.new_id_number(f"1972010{n + 1}"), flows.new_phone()
        )
        await _issued(clerk, clerk, approver, walk_in)
        villager = await flows.register(
            agent, f"村{n}", flows.new_id_number(f"1973010{n + 1}"), flows.new_phone()
        )
        await flows.consent(agent, villager)
        await _issued(agent, clerk, approver, villager)

    # Under the cap: every result listed, no note.
    tray = (await clerk.get("/workbench/window-results")).text
    waiting = _rows(tray, "window-results", "result-")
    assert waiting >= 2 and 'id="results-beyond"' not in tray
    home = _hand_back((await agent.get("/workbench/")).text)
    to_hand_back = home.count("/workbench/cases/")
    assert to_hand_back >= 2 and 'id="hand-back-beyond"' not in home

    monkeypatch.setattr(services, "LIST_LIMIT", 1)
    tray = (await clerk.get("/workbench/window-results")).text
    assert _rows(tray, "window-results", "result-") == 1
    assert f"另有 {waiting - 1} 件结果待领取，未在此列出" in tray
    with speaking(clerk, "en"):
        tray = (await clerk.get("/workbench/window-results")).text
    assert f"{waiting - 1} more result" in tray and "not listed here" in tray
    home = _hand_back((await agent.get("/workbench/")).text)
    assert home.count("/workbench/cases/") == 1
    assert f"另有 {to_hand_back - 1} 件结果待送达，未在此列出" in home
