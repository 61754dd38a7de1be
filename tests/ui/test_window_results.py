"""The window clerk's tray: results issued for applications filed or accepted at the window,
ready to hand out, with the action that records the hand-over."""

from __future__ import annotations

import re

from core.cases.tables import Case, CaseEvent
from tests.ui import flows


async def _state(case_id: int) -> str:
    return (await Case.select(Case.state).where(Case.id == case_id).first())["state"]


def tray(html: str) -> str:
    found = re.search(r'<table id="window-results">(.*?)</table>', html, re.S)
    return found.group(1) if found else ""


async def test_the_clerk_hands_out_a_result_issued_at_the_window(people):
    agent, clerk, approver = await people("agent"), await people("clerk"), await people("approver")
    # A walk-in at the window, and a case an agent filed in a village under the same township.
    walk_in = await flows.register(
        clerk, "韩十三", flows.new_id_number("19700101"), flows.new_phone()
    )
    window_case, window_code = await flows.file_pension(clerk, walk_in, {})
    villager = await flows.register(
        agent, "韦十四", flows.new_id_number("19710101"), flows.new_phone()
    )
    await flows.consent(agent, villager)
    proxy_case, proxy_code = await flows.file_pension(agent, villager, {})
    for case_id in (window_case, proxy_case):
        await flows.post(clerk, f"/cases/{case_id}/act", {"action": "accept"})
        await flows.post(approver, f"/cases/{case_id}/act", {"action": "approve"})
        assert await _state(case_id) == "issued"

    home = await clerk.get("/workbench/")
    assert 'href="/workbench/window-results"' in home.text
    page = await clerk.get("/workbench/window-results")
    assert page.status_code == 200
    listed = tray(page.text)
    assert window_code in listed and "韩十三" in listed and f'id="result-{window_case}"' in listed
    assert proxy_code not in page.text  # the agent hands that one back in the village
    assert f"/workbench/window-results/{window_case}/hand-out" in listed

    far = await people("clerk2")  # another township's window
    assert window_code not in (await far.get("/workbench/window-results")).text

    done = await flows.post(clerk, f"/workbench/window-results/{window_case}/hand-out", {})
    assert done.status_code == 200 and 'id="handed"' in done.text and window_code in done.text
    assert window_code not in tray(done.text)
    assert await _state(window_case) == "delivered"
    event = (
        await CaseEvent.select()
        .where((CaseEvent.case == window_case) & (CaseEvent.kind == "deliver"))
        .output(load_json=True)
        .first()
    )
    assert event["payload"]["method"] == "window" and event["actor_name"] == "王窗口（赶水镇）"

    again = await flows.post(clerk, f"/workbench/window-results/{window_case}/hand-out", {})
    assert again.status_code in (409, 422) and 'id="hand-out-error"' in again.text
    assert await _state(window_case) == "delivered"
    stranger = await flows.post(far, f"/workbench/window-results/{proxy_case}/hand-out", {})
    assert stranger.status_code == 404 and await _state(proxy_case) == "issued"
    assert (await agent.get("/workbench/window-results")).status_code == 403
