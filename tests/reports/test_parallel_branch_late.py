"""Parallel approval with one branch late: what the district supervisor sees.

    P1  filed at 甲84一村, accepted Mon 9 Nov 2026 (case limit 5 working days: due 16 Nov)
        joint step: office A (2 days, due 11 Nov) approves on 10 Nov, on time;
                    office B (3 days, due 12 Nov) has not answered.

On Fri 13 Nov branch B is one working day late — its step light is red and it was
escalated — while the case's own clock, 4 of 5 days used, is yellow. The case is stalled
at office B: the dashboard counts it once among "overdue now", the red list shows it
with office B marked as the late step. On Tue 17 Nov the case itself is late too: it is
still counted once. Office B answers on 18 Nov: the case leaves both.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.cases.sweep import run_sweep
from core.cases.tables import Case, Task
from core.reports import figures, supervision
from core.tenancy.auth import hash_password, load_principal
from core.tenancy.tables import Membership, Staff, Unit
from tests.cases.world import JOINT, register_plugins, unregister_plugins
from tests.helpers import drain
from tests.reports.world import PASSWORD, Codes, act, at, file_case

COUNTY = 84
CODES = Codes(COUNTY)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
OFFICES = {"a": f"{CODES.district}-TA", "b": f"{CODES.district}-TB"}


async def _office(world, key: str) -> None:
    """Office A or B of the test departments under the district, and its approver."""
    code = OFFICES[key]
    district = world.unit(CODES.district)
    if not await Unit.exists().where(Unit.code == code):
        await Unit.insert(
            Unit(
                code=code,
                name=f"测试{COUNTY}区{key.upper()}局",
                name_en=f"Test office {key.upper()}",
                kind=f"test_office_{key}",
                level="district",
                parent=district["id"],
                path=f"{district['path']}{code}/",
                depth=(await Unit.select(Unit.depth).where(Unit.id == district["id"]).first())[
                    "depth"
                ]
                + 1,
            )
        )
    unit = (
        await Unit.select(Unit.id, Unit.code, Unit.path, Unit.name).where(Unit.code == code).first()
    )
    world.units[code] = unit
    username = world.username(f"approver_{key}")
    staff = await Staff.select(Staff.id).where(Staff.username == username).first()
    if staff is None:
        staff = (
            await Staff.insert(
                Staff(
                    username=username, display_name=username, password_hash=hash_password(PASSWORD)
                )
            ).returning(Staff.id)
        )[0]
        await Membership.insert(
            Membership(staff=staff["id"], unit=unit["id"], role="dept_approver")
        )
    world.people[username] = await load_principal(staff["id"])


@pytest.fixture(scope="module")
async def joint_case(world, time_machine, jobs):
    register_plugins()
    try:
        for key in OFFICES:
            await _office(world, key)
        w, t = world, time_machine
        case = await file_case(w, t, "agent_a1", CODES.village_a1, JOINT, at("2026-11-09", 9))
        await act(w, t, "clerk_a", case, "accept", at("2026-11-09", 10))
        await act(w, t, "approver_a", case, "approve", at("2026-11-10", 10), opinion="同意")
        await run_sweep(now=at("2026-11-13", 10))
        t.travel(at("2026-11-13", 10, 5))
        await drain(jobs)
        yield case
    finally:
        unregister_plugins()


async def overdue_now(new_browser) -> str:
    sup = await new_browser()
    await sup.login(f"rpt{COUNTY}_sup_d", PASSWORD)
    page = await sup.get(
        "/reports/", params={"unit": CODES.district, "start": "2026-11-01", "end": "2026-11-30"}
    )
    assert page.status_code == 200
    found = re.search(r'id="kpi-red"><a [^>]*>(.*?)</a>', page.text, re.S)
    return found.group(1).strip()


async def red_list(new_browser) -> str:
    sup = await new_browser()
    await sup.login(f"rpt{COUNTY}_sup_d", PASSWORD)
    page = await sup.get("/reports/red/", params={"unit": CODES.district})
    assert page.status_code == 200
    return page.text


def row_of(page: str, case_id: int) -> list[str] | None:
    row = re.search(rf'id="red-{case_id}">(.*?)</tr>', page, re.S)
    if row is None:
        return None
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in cells]


async def test_a_late_branch_makes_the_case_overdue_once(joint_case, new_browser, world):
    branches = {
        r["step_id"]: r
        for r in await Task.select().where((Task.case == joint_case) & (Task.parent_step != ""))
    }
    assert (branches["branch_a"]["state"], branches["branch_b"]["light"]) == ("done", "red")
    case = await Case.select(Case.light).where(Case.id == joint_case).first()
    assert case["light"] != "red"  # the case's own clock still runs in time

    assert await overdue_now(new_browser) == "1"
    district = await figures.totals(world.path(CODES.district), *NOVEMBER)
    assert district.red_now == 1
    cells = row_of(await red_list(new_browser), joint_case)
    assert cells is not None, "the stalled case is missing from the red list"
    due, late, held = cells[3], cells[4], cells[5]
    assert late == "1"  # branch B: due 12 Nov, one working day late on 13 Nov
    assert due == "2026年11月12日"  # the late branch's due day, not the case's (16 Nov)
    assert f"测试{COUNTY}区B局" in held and "本环节已超期" in held
    assert f"测试{COUNTY}区A局" not in held  # office A answered in time


async def test_the_case_late_as_well_is_still_counted_once(
    joint_case, new_browser, world, time_machine, jobs
):
    await run_sweep(now=at("2026-11-17", 10))
    time_machine.travel(at("2026-11-17", 10, 5))
    await drain(jobs)
    case = await Case.select(Case.light).where(Case.id == joint_case).first()
    assert case["light"] == "red"
    assert await overdue_now(new_browser) == "1"
    page = await red_list(new_browser)
    assert page.count(f'id="red-{joint_case}"') == 1
    cells = row_of(page, joint_case)
    assert cells[4] == "1"  # the case itself: due 16 Nov, late by 17 Nov
    assert "本环节已超期" in cells[5]  # and still the branch that holds it up


async def test_urging_reaches_the_late_branch_and_an_answer_clears_it(
    joint_case, new_browser, world, time_machine, jobs
):
    time_machine.travel(at("2026-11-17", 11))
    event = await supervision.urge(world.who("sup_d"), joint_case, "请乙局尽快会签")
    assert event["payload"]["units"] == [world.unit(OFFICES["b"])["id"]]
    await act(world, time_machine, "approver_b", joint_case, "approve", at("2026-11-18", 10))
    time_machine.travel(at("2026-11-18", 10, 5))
    await drain(jobs)
    assert await overdue_now(new_browser) == "0"
    assert row_of(await red_list(new_browser), joint_case) is None
