"""Parallel approval (并联审批): all branches agree, one denies, one stays silent."""

from __future__ import annotations

import pytest

from core.cases.errors import ActionNotAllowed
from core.cases.sweep import run_sweep
from core.cases.tables import CaseEvent, Task
from tests.cases.world import JOINT, JOINT_REVIEW, local


async def branches(case_id: int) -> dict[str, dict]:
    rows = await Task.select().where((Task.case == case_id) & (Task.parent_step != ""))
    return {r["step_id"]: r for r in rows}


async def kinds(case_id: int) -> list[str]:
    rows = (
        await CaseEvent.select(CaseEvent.kind)
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.seq)
    )
    return [r["kind"] for r in rows]


async def joint_case(world, clock, day=(2026, 11, 9)) -> int:
    clock.set(local(*day, 9))
    case = await world.file(JOINT)
    await world.act("t_clerk", case["id"], "accept")
    return case["id"]


async def test_fans_out_to_each_department_and_joins_when_all_agree(world, clock):
    cid = await joint_case(world, clock)
    tasks = await branches(cid)
    assert set(tasks) == {"branch_a", "branch_b"}
    assert {t["unit"] for t in tasks.values()} == {
        await world.unit_id("509910000000-TA"),
        await world.unit_id("509910000000-TB"),
    }
    row = await world.act("t_app_a", cid, "approve", opinion="甲局同意")
    assert row["state"] == "in_review"  # waits for B
    row = await world.act("t_app_b", cid, "approve", opinion="乙局同意")
    assert row["state"] == "issued"  # joint decision, then the automatic electronic issue
    assert await kinds(cid) == [
        "submit",
        "accept",
        "route",
        "branch_approved",
        "branch_approved",
        "approve",
        "issue",
    ]
    approve = (
        await CaseEvent.select()
        .where((CaseEvent.case == cid) & (CaseEvent.kind == "approve"))
        .first()
        .output(load_json=True)
    )
    assert approve["actor_name"] == "system"
    assert approve["payload"]["branches"] == {"branch_a": "approve", "branch_b": "approve"}


async def test_a_denial_by_one_branch_ends_the_case_with_its_reason(world, clock):
    cid = await joint_case(world, clock)
    await world.act("t_app_a", cid, "approve")
    row = await world.act("t_app_b", cid, "deny", reason="乙局：不符合安全条件")
    assert (row["state"], row["outcome"]) == ("denied", "denied")
    deny = (
        await CaseEvent.select()
        .where((CaseEvent.case == cid) & (CaseEvent.kind == "deny"))
        .first()
        .output(load_json=True)
    )
    assert deny["reason"] == "乙局：不符合安全条件"
    assert deny["payload"]["branch_of"] == "joint"


async def test_a_denial_cancels_the_branches_still_open(world, clock):
    cid = await joint_case(world, clock)
    await world.act("t_app_b", cid, "deny", reason="不符合")
    tasks = await branches(cid)
    assert tasks["branch_a"]["state"] == "cancelled"
    with pytest.raises(Exception):  # noqa: B017 - the case is decided; nothing is open
        await world.act("t_app_a", cid, "approve")


async def test_silence_is_consent_at_the_branch_deadline(world, clock):
    # Accepted Monday 9 Nov 2026; branch A has 2 working days: due Wed 11 Nov.
    cid = await joint_case(world, clock)
    assert (await branches(cid))["branch_a"]["due_on"].isoformat() == "2026-11-11"
    await world.act("t_app_b", cid, "approve")
    # On the due day nothing happens yet …
    report = await run_sweep(local(2026, 11, 11, 23, 59))
    assert report.silent_consents == 0
    assert (await branches(cid))["branch_a"]["state"] == "open"
    # … from midnight after it, the sweep counts the silence as consent and says so.
    report = await run_sweep(local(2026, 11, 12, 0, 5))
    assert report.silent_consents == 1
    branch = (await branches(cid))["branch_a"]
    assert (branch["state"], branch["silent"], branch["completed_by"]) == ("done", True, None)
    silent = (
        await CaseEvent.select()
        .where((CaseEvent.case == cid) & (CaseEvent.kind == "silent_consent"))
        .first()
        .output(load_json=True)
    )
    assert silent["payload"]["silence_is_consent"] is True
    assert silent["payload"]["counted_as"] == "approved"
    assert silent["payload"]["deadline"] == "2026-11-11"
    assert "approve" in await kinds(cid)
    approve = (
        await CaseEvent.select()
        .where((CaseEvent.case == cid) & (CaseEvent.kind == "approve"))
        .first()
        .output(load_json=True)
    )
    assert approve["payload"]["branches"]["branch_a"] == "silent"
    # A second sweep finds nothing more to do.
    again = await run_sweep(local(2026, 11, 12, 0, 10))
    assert again.silent_consents == 0


async def test_silence_alone_never_approves_a_branch_without_that_rule(world, clock):
    cid = await joint_case(world, clock)
    await run_sweep(local(2026, 11, 20, 1))  # long past both branch deadlines
    tasks = await branches(cid)
    assert tasks["branch_a"]["silent"] is True  # A allows silence
    assert tasks["branch_b"]["state"] == "open"  # B does not: it turned red instead
    assert tasks["branch_b"]["light"] == "red"


async def test_a_joint_review_continues_to_the_decision(world, clock):
    clock.set(local(2026, 11, 9, 9))
    case = await world.file(JOINT_REVIEW)
    cid = case["id"]
    await world.act("t_clerk", cid, "accept")
    await world.act("t_rev_a", cid, "pass")
    with pytest.raises(ActionNotAllowed):
        await world.act("t_app_a", cid, "approve")  # the decision step is not open yet
    row = await world.act("t_app_b", cid, "pass")
    assert row["state"] == "in_review"
    assert (await kinds(cid))[-2:] == ["review_passed", "forward"]
    row = await world.act("t_app_a", cid, "approve")
    assert row["state"] == "issued"
