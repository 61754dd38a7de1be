"""Every transition of the case state machine, legal and illegal.

The table itself first (each legal pair has one target, every other pair is
refused), then each legal transition driven through the services on a real
case, and illegal ones refused with a clear message and nothing written.
"""

from __future__ import annotations

import pytest

from core.cases.errors import ActionNotAllowed, error_text
from core.cases.handling import HANDLERS
from core.cases.states import TRANSITIONS, State, actions_from, target
from core.cases.tables import Case, CaseEvent, CasePause, Task
from core.errors import ReasonRequired
from tests.cases.world import SIMPLE, local

ALL_ACTIONS = sorted({action for _, action in TRANSITIONS} | set(HANDLERS))


@pytest.mark.parametrize(("state", "action"), sorted(TRANSITIONS))
def test_each_legal_pair_has_its_target(state, action):
    assert target(state, action) is TRANSITIONS[(state, action)]
    assert action in actions_from(state)


@pytest.mark.parametrize("state", list(State))
def test_every_other_pair_is_refused(state):
    for action in ALL_ACTIONS:
        if (state, action) in TRANSITIONS:
            continue
        with pytest.raises(ActionNotAllowed):
            target(state, action)


def test_the_refusal_names_state_and_action_in_the_users_language():
    with pytest.raises(ActionNotAllowed) as caught:
        target("submitted", "approve")
    assert error_text(caught.value, "zh_CN") == "处于“已提交”状态的办件不能执行“准予批准”操作。"
    assert "Submitted" in error_text(caught.value, "en")
    assert "Approve" in error_text(caught.value, "en")


def test_a_final_state_accepts_nothing():
    for state in (State.CLOSED, State.WITHDRAWN):
        assert actions_from(state) == []


# -- driven through the services ------------------------------------------------------


async def events(case_id: int) -> list[tuple[str, str, str]]:
    rows = (
        await CaseEvent.select(CaseEvent.kind, CaseEvent.from_state, CaseEvent.to_state)
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.seq)
    )
    return [(r["kind"], r["from_state"], r["to_state"]) for r in rows]


async def state_of(case_id: int) -> str:
    return (await Case.select(Case.state).where(Case.id == case_id).first())["state"]


async def test_the_whole_line_of_a_case_is_recorded_event_by_event(world, clock):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    cid = case["id"]
    await world.act("t_clerk", cid, "request_supplement", materials=["photo"])
    await world.act("t_agent", cid, "supply")
    await world.act("t_clerk", cid, "accept")
    await world.act("t_rev_a", cid, "request_supplement", materials=["application"])
    await world.act("t_clerk", cid, "supply")
    await world.act("t_rev_a", cid, "suspend", procedure="expert_review", reason="专家评审")
    await world.act("t_rev_a", cid, "resume")
    await world.act("t_rev_a", cid, "pass", opinion="材料齐全")
    await world.act("t_app_a", cid, "approve", reason="符合条件")
    await world.act("t_app_a", cid, "issue")
    await world.act("t_clerk", cid, "deliver", method="window")
    await world.act("t_agent", cid, "close")
    assert await events(cid) == [
        ("submit", "draft", "submitted"),
        ("request_supplement", "submitted", "supplement_requested"),
        ("supply", "supplement_requested", "submitted"),
        ("accept", "submitted", "accepted"),
        ("route", "accepted", "in_review"),
        ("request_supplement", "in_review", "review_supplement"),
        ("supply", "review_supplement", "in_review"),
        ("suspend", "in_review", "suspended"),
        ("resume", "suspended", "in_review"),
        ("review_passed", "in_review", "in_review"),
        ("forward", "in_review", "in_review"),
        ("approve", "in_review", "approved"),
        ("forward", "approved", "approved"),
        ("issue", "approved", "issued"),
        ("forward", "issued", "issued"),
        ("deliver", "issued", "delivered"),
        ("close", "delivered", "closed"),
    ]
    # Actors and units are recorded; the chain is intact.
    from core.cases.events import verify_chain

    assert await verify_chain(cid) is None
    tasks = await Task.select(Task.step_id, Task.state, Task.outcome).where(Task.case == cid)
    assert [(t["step_id"], t["state"]) for t in tasks] == [
        ("accept", "done"),
        ("review", "done"),
        ("decide", "done"),
        ("issue", "done"),
        ("deliver", "done"),
    ]


async def test_refuse_then_close(world):
    case = await world.file(SIMPLE)
    with pytest.raises(ReasonRequired):
        await world.act("t_clerk", case["id"], "refuse")
    await world.act("t_clerk", case["id"], "refuse", reason="不属于本事项受理范围")
    assert await state_of(case["id"]) == "refused"
    assert not await Task.exists().where((Task.case == case["id"]) & (Task.state == "open"))
    await world.act("t_clerk", case["id"], "close")
    assert await state_of(case["id"]) == "closed"


async def test_deny_then_close(world):
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    await world.act("t_rev_a", case["id"], "deny", reason="不符合条件")
    row = await Case.select().where(Case.id == case["id"]).first()
    assert (row["state"], row["outcome"]) == ("denied", "denied")
    assert row["light_changes_at"] is None
    await world.act("t_agent", case["id"], "close")
    assert await state_of(case["id"]) == "closed"


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [("t_clerk", "request_supplement", {"materials": ["photo"]})],
        [("t_clerk", "accept", {})],
        [("t_clerk", "accept", {}), ("t_rev_a", "request_supplement", {"materials": ["photo"]})],
        [
            ("t_clerk", "accept", {}),
            ("t_rev_a", "suspend", {"procedure": "hearing", "reason": "听证"}),
        ],
    ],
    ids=["submitted", "supplement", "in_review", "review_supplement", "suspended"],
)
async def test_withdrawn_by_the_applicant_before_the_decision(world, clock, steps):
    clock.set(local(2026, 11, 3, 9))
    case = await world.file(SIMPLE)
    for who, action, params in steps:
        await world.act(who, case["id"], action, **params)
    await world.act("t_agent", case["id"], "withdraw", reason="申请人撤回")
    row = await Case.select().where(Case.id == case["id"]).first()
    assert row["state"] == "withdrawn"
    assert not await Task.exists().where((Task.case == case["id"]) & (Task.state == "open"))
    assert not await CasePause.exists().where(
        (CasePause.case == case["id"]) & CasePause.ended_at.is_null()
    )


ILLEGAL = [
    # (what was done before, who tries, the illegal action, its params)
    ([], "t_clerk", "approve", {}),
    ([], "t_agent", "supply", {}),
    ([], "t_clerk", "issue", {}),
    ([("t_clerk", "accept", {})], "t_clerk", "accept", {}),
    ([("t_clerk", "accept", {})], "t_rev_a", "resume", {}),
    ([("t_clerk", "accept", {})], "t_agent", "close", {}),
    ([("t_clerk", "accept", {})], "t_clerk", "deliver", {"method": "window"}),
    (
        [("t_clerk", "accept", {}), ("t_rev_a", "deny", {"reason": "否"})],
        "t_agent",
        "withdraw",
        {"reason": "撤回"},
    ),
    (
        [
            ("t_clerk", "accept", {}),
            ("t_rev_a", "suspend", {"procedure": "hearing", "reason": "x"}),
        ],
        "t_rev_a",
        "pass",
        {},
    ),
    ([("t_clerk", "refuse", {"reason": "否"})], "t_clerk", "accept", {}),
    ([], "t_clerk", "no_such_action", {}),
]


@pytest.mark.parametrize(("before", "who", "action", "params"), ILLEGAL)
async def test_an_illegal_action_is_refused_and_changes_nothing(world, before, who, action, params):
    case = await world.file(SIMPLE)
    for actor, done, extra in before:
        await world.act(actor, case["id"], done, **extra)
    snapshot = await Case.select().where(Case.id == case["id"]).first()
    tasks = await Task.select().where(Task.case == case["id"]).order_by(Task.id)
    with pytest.raises(ActionNotAllowed) as caught:
        await world.act(who, case["id"], action, **params)
    assert "不能执行" in error_text(caught.value, "zh_CN")
    assert await Case.select().where(Case.id == case["id"]).first() == snapshot
    assert await Task.select().where(Task.case == case["id"]).order_by(Task.id) == tasks


async def test_the_chain_verifies_whatever_zone_the_clock_reads_in(world, monkeypatch):
    """Events hash their moment in UTC, as the database gives it back."""
    from core.cases import timing
    from core.cases.events import verify_chain

    monkeypatch.setattr(timing, "utcnow", lambda: local(2026, 11, 2, 9, 30))  # +08:00
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    assert await verify_chain(case["id"]) is None
