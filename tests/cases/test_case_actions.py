"""Approval actions: return (退回), transfer (转办), delegate (委派), countersign (会签,
all and any-of), add/remove a signer (加签/减签), claim/release, supervisor reassign —
each an audited event, each only where the workflow and the role permit."""

from __future__ import annotations

import pytest

from core.cases.errors import (
    InvalidChoice,
    LastSigner,
    NotSupervisor,
    NotYourTask,
    StepDoesNotAllow,
)
from core.cases.tables import Case, CaseEvent, Task
from core.errors import CaseNotFound, PermissionDenied, ReasonRequired
from tests.cases.world import (
    JOINT,
    OFFICE_A_ELSEWHERE,
    SIGN_ALL,
    SIGN_ANY,
    SIMPLE,
)


async def last_event(case_id: int) -> dict:
    return await (
        CaseEvent.select()
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.seq, ascending=False)
        .first()
        .output(load_json=True)
    )


async def open_tasks(case_id: int) -> list[dict]:
    return (
        await Task.select().where((Task.case == case_id) & (Task.state == "open")).order_by(Task.id)
    )


async def at_decision(world, item=SIMPLE) -> int:
    case = await world.file(item)
    await world.act("t_clerk", case["id"], "accept")
    if item == SIMPLE:
        await world.act("t_rev_a", case["id"], "pass")
    return case["id"]


# -- return --------------------------------------------------------------------------


async def test_return_to_an_earlier_step_reopens_it_with_the_reason(world):
    cid = await at_decision(world)
    with pytest.raises(ReasonRequired):
        await world.act("t_app_a", cid, "return", to_step="review")
    await world.act("t_app_a", cid, "return", to_step="review", reason="请补充核查户籍信息")
    event = await last_event(cid)
    assert (event["kind"], event["actor_name"], event["reason"]) == (
        "return",
        "测试t_app_a",
        "请补充核查户籍信息",
    )
    assert event["payload"]["from_step"] == "decide" and event["payload"]["step"] == "review"
    tasks = await open_tasks(cid)
    assert [t["step_id"] for t in tasks] == ["review"]
    case = await Case.select(Case.state, Case.current_step).where(Case.id == cid).first()
    assert case == {"state": "in_review", "current_step": "review"}
    # The reviewer passes again and the decision step comes back.
    await world.act("t_rev_a", cid, "pass")
    assert [t["step_id"] for t in await open_tasks(cid)] == ["decide"]


async def test_return_only_where_the_workflow_allows_it(world):
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    # The review step does not allow returning; the decide step allows only "review".
    with pytest.raises(StepDoesNotAllow):
        await world.act("t_rev_a", case["id"], "return", to_step="accept", reason="x")
    await world.act("t_rev_a", case["id"], "pass")
    with pytest.raises(InvalidChoice):
        await world.act("t_app_a", case["id"], "return", to_step="accept", reason="x")
    with pytest.raises(NotYourTask):
        await world.act("t_rev_a", case["id"], "return", to_step="review", reason="x")


# -- transfer ---------------------------------------------------------------------------


async def test_transfer_moves_the_task_to_another_unit_of_the_kind_and_is_audited(world):
    cid = await at_decision(world)
    with pytest.raises(InvalidChoice):  # a unit of another kind
        await world.act("t_app_a", cid, "transfer", to_unit="509910000000-TB", reason="x")
    await world.act("t_app_a", cid, "transfer", to_unit=OFFICE_A_ELSEWHERE, reason="属南川区管辖")
    event = await last_event(cid)
    assert event["kind"] == "transfer" and event["reason"] == "属南川区管辖"
    assert event["payload"]["from_unit"] == "509910000000-TA"
    assert event["payload"]["to_unit"] == OFFICE_A_ELSEWHERE
    # The old unit can no longer act; the new one can, and now sees the case.
    with pytest.raises((NotYourTask, CaseNotFound)):
        await world.act("t_app_a", cid, "approve")
    row = await world.act("t_app_far", cid, "approve")
    assert row["state"] == "approved"


async def test_transfer_at_acceptance_moves_the_accepting_unit(world):
    case = await world.file(SIMPLE)
    target = "509910102000-BM"  # another township's service centre
    await world.act("t_clerk", case["id"], "transfer", to_unit=target, reason="申请人户籍在石角镇")
    row = await Case.select(Case.accepting_unit.code).where(Case.id == case["id"]).first()
    assert row["accepting_unit.code"] == target


async def test_transfer_refused_where_the_step_does_not_allow_it(world):
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    with pytest.raises(StepDoesNotAllow):
        await world.act("t_rev_a", case["id"], "transfer", to_unit=OFFICE_A_ELSEWHERE, reason="x")


# -- claim, release, delegate, reassign ---------------------------------------------------


async def test_claim_and_release(world):
    cid = await at_decision(world)
    await world.act("t_app_a", cid, "claim")
    (task,) = await open_tasks(cid)
    assert task["assignee"] == world.staff["t_app_a"]
    # A colleague with the same role can no longer act on it …
    with pytest.raises(NotYourTask):
        await world.act("t_app_a2", cid, "approve")
    with pytest.raises(NotYourTask):
        await world.act("t_app_a2", cid, "claim")
    # … until it is released.
    await world.act("t_app_a", cid, "release")
    assert (await open_tasks(cid))[0]["assignee"] is None
    await world.act("t_app_a2", cid, "claim")
    row = await world.act("t_app_a2", cid, "approve")
    assert row["state"] == "approved"
    kinds = [e["kind"] for e in await CaseEvent.select(CaseEvent.kind).where(CaseEvent.case == cid)]
    assert kinds.count("claim") == 2 and kinds.count("release") == 1


async def test_delegate_keeps_the_delegator_responsible(world):
    cid = await at_decision(world)
    await world.act("t_app_a", cid, "delegate", to_staff=world.staff["t_rev_a"])
    (task,) = await open_tasks(cid)
    assert task["assignee"] == world.staff["t_rev_a"]
    assert task["responsible"] == world.staff["t_app_a"]
    event = await last_event(cid)
    assert event["payload"]["to_name"] == "测试t_rev_a"
    assert event["payload"]["responsible_name"] == "测试t_app_a"
    # Someone outside the unit cannot be a delegate.
    with pytest.raises(InvalidChoice):
        await world.act("t_app_a", cid, "delegate", to_staff=world.staff["t_app_b"])
    # The delegate decides; the decision is theirs, the task remembers who is responsible.
    await world.act("t_rev_a", cid, "approve")
    done = await Task.select().where((Task.case == cid) & (Task.step_id == "decide")).first()
    assert done["completed_by"] == world.staff["t_rev_a"]
    assert done["responsible"] == world.staff["t_app_a"]


async def test_delegate_refused_where_the_step_does_not_allow_it(world):
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    with pytest.raises(StepDoesNotAllow):
        await world.act("t_rev_a", case["id"], "delegate", to_staff=world.staff["t_app_a"])


async def test_a_supervisor_reassigns_and_nobody_else_may(world):
    cid = await at_decision(world)
    await world.act("t_app_a", cid, "claim")
    with pytest.raises(NotSupervisor):
        await world.act("t_app_a2", cid, "reassign", to_staff=world.staff["t_app_a2"], reason="x")
    await world.act("t_sup", cid, "reassign", to_staff=world.staff["t_app_a2"], reason="休假")
    (task,) = await open_tasks(cid)
    assert task["assignee"] == world.staff["t_app_a2"]
    # Only someone holding the task's role at its unit can receive it.
    with pytest.raises(InvalidChoice):
        await world.act("t_sup", cid, "reassign", to_staff=world.staff["t_rev_a"], reason="x")


# -- countersign ----------------------------------------------------------------------------


async def test_countersign_all_needs_every_signer(world):
    cid = await at_decision(world, SIGN_ALL)
    signers = {t["assignee"] for t in await open_tasks(cid)}
    assert signers == {world.staff["t_app_a"], world.staff["t_app_a2"]}
    row = await world.act("t_app_a", cid, "approve", opinion="同意")
    assert row["state"] == "in_review"
    assert (await last_event(cid))["kind"] == "sign"
    with pytest.raises(NotYourTask):  # one signature each
        await world.act("t_app_a", cid, "approve")
    row = await world.act("t_app_a2", cid, "approve", opinion="同意")
    assert row["state"] in ("approved", "issued")
    approve = (
        await CaseEvent.select()
        .where((CaseEvent.case == cid) & (CaseEvent.kind == "approve"))
        .first()
        .output(load_json=True)
    )
    assert approve["payload"]["countersign"] == "all"


async def test_countersign_all_one_denial_denies(world):
    cid = await at_decision(world, SIGN_ALL)
    await world.act("t_app_a", cid, "approve")
    row = await world.act("t_app_a2", cid, "deny", reason="条件不符")
    assert row["state"] == "denied"
    assert await open_tasks(cid) == []


async def test_countersign_any_first_answer_decides(world):
    cid = await at_decision(world, SIGN_ANY)
    assert len(await open_tasks(cid)) == 2
    row = await world.act("t_app_a2", cid, "approve")
    assert row["state"] in ("approved", "issued")
    assert await open_tasks(cid) == []
    cancelled = await Task.count().where((Task.case == cid) & (Task.state == "cancelled"))
    assert cancelled == 1


async def test_add_and_remove_a_signer_on_a_running_step(world):
    cid = await at_decision(world, SIGN_ALL)
    reviewer = world.staff["t_rev_a"]
    await world.act("t_app_a", cid, "add_signer", to_staff=reviewer, reason="需审核人会签")
    assert reviewer in {t["assignee"] for t in await open_tasks(cid)}
    assert (await last_event(cid))["payload"]["signer_name"] == "测试t_rev_a"
    with pytest.raises(InvalidChoice):  # already a signer
        await world.act("t_app_a", cid, "add_signer", to_staff=reviewer)
    with pytest.raises(InvalidChoice):  # not of this department
        await world.act("t_app_a", cid, "add_signer", to_staff=world.staff["t_app_b"])
    await world.act("t_app_a", cid, "approve")
    with pytest.raises(InvalidChoice):  # has signed already
        await world.act(
            "t_app_a2", cid, "remove_signer", to_staff=world.staff["t_app_a"], reason="x"
        )
    await world.act("t_app_a2", cid, "remove_signer", to_staff=reviewer, reason="无需会签")
    with pytest.raises(LastSigner):
        await world.act("t_sup", cid, "remove_signer", to_staff=world.staff["t_app_a2"], reason="x")
    row = await world.act("t_app_a2", cid, "approve")
    assert row["state"] in ("approved", "issued")


async def test_signers_cannot_be_changed_where_the_step_does_not_allow_it(world):
    cid = await at_decision(world, SIGN_ANY)
    with pytest.raises(StepDoesNotAllow):
        await world.act("t_app_a", cid, "add_signer", to_staff=world.staff["t_rev_a"])


# -- who may act at all -----------------------------------------------------------------


async def test_a_read_only_auditor_sees_but_changes_nothing(world):
    cid = await at_decision(world)
    with pytest.raises(PermissionDenied):
        await world.act("t_auditor", cid, "approve")


async def test_another_tenants_case_is_not_found(world):
    case = await world.file(JOINT)
    # The other district's office has nothing routed to it: as if the case did not exist.
    with pytest.raises(CaseNotFound):
        await world.act("t_app_far", case["id"], "approve")
    with pytest.raises(CaseNotFound):
        await world.act("t_app_far", 10**9, "approve")
