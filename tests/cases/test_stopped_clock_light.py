"""A time-limit light says how a running clock stands. Once a case is decided (or
withdrawn) its clock has stopped for good: the status page, the agent's list and the
agent's counts show no light for it — before, it kept the last one it had, so a case
finished on the spot was still "due soon" on every page."""

from __future__ import annotations

from core.cases.tables import Case
from tests.cases.world import SIMPLE


async def test_a_decided_case_shows_no_light_anywhere(world, new_browser):
    person = world.next_applicant()
    case = await world.file(SIMPLE, applicant=person)
    await world.act("t_clerk", case["id"], "accept")
    await world.act("t_rev_a", case["id"], "pass")
    running = await Case.select(Case.light).where(Case.id == case["id"]).first()
    assert running["light"] in ("green", "yellow", "red")  # the clock runs: a light

    await world.act("t_app_a", case["id"], "approve")
    row = (
        await Case.select(Case.light, Case.light_changes_at, Case.state)
        .where(Case.id == case["id"])
        .first()
    )
    assert row["state"] != "in_review" and row["light"] == "" and row["light_changes_at"] is None

    resident = await new_browser()
    page = await resident.get(
        "/status/", params={"code": case["tracking_code"], "last4": person["phone"][-4:]}
    )
    assert case["tracking_code"] in page.text
    assert "<dt>时限</dt>" not in page.text and 'class="light light-' not in page.text
    assert await Case.count().where((Case.light != "") & Case.state.is_in(["approved"])) == 0
