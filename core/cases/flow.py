"""Moving a case through its workflow: events, opening steps, joining branches and signers.

Everything here runs inside the caller's transaction. Each event is written
with :func:`record`, which also queues the outbox message announcing it, so
an event and its announcement commit together. A step is opened by an
event, and its tasks carry that event's ``seq`` as their ``batch``: the
branches of one parallel step, or the signers of one countersign step, are
the open tasks sharing a step and a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.cases import access, routing, timing
from core.cases.events import append_event
from core.cases.states import State, target
from core.cases.tables import Task
from core.catalog.items import Item
from core.catalog.workflow import Step
from core.jobs import outbox
from core.plugins import await_me_maybe, get_plugin_manager
from core.tenancy.scope import Principal

SYSTEM = "system"
POSITIVE = frozenset({"pass", "approve", "sign", "silent"})


@dataclass
class Ctx:
    """One change to one case: who makes it, when, and the case as it stands."""

    principal: Principal | None  # None: the system (the sweep, a join)
    case: dict
    item: Item
    now: datetime
    _filing_unit: dict | None = field(default=None, repr=False)

    async def filing_unit(self) -> dict:
        if self._filing_unit is None:
            self._filing_unit = await access.unit_row(self.case["filed_unit"])
        return self._filing_unit


async def record(
    ctx: Ctx,
    kind: str,
    *,
    to_state: str | None = None,
    unit_id: int | None = None,
    reason: str = "",
    payload: dict | None = None,
    updates: dict | None = None,
    by_system: bool = False,
) -> dict:
    """Append one event (state change and column updates included) and announce it."""
    principal = None if by_system else ctx.principal
    event = await append_event(
        ctx.case,
        kind=kind,
        from_state=ctx.case["state"],
        to_state=to_state or ctx.case["state"],
        actor_id=principal.staff_id if principal else None,
        actor_name=principal.display_name if principal else SYSTEM,
        unit_id=unit_id,
        reason=reason,
        payload=payload or {},
        case_updates=updates,
        at=ctx.now,
    )
    await outbox.enqueue("case_event", case_id=ctx.case["id"], seq=event["seq"])
    return event


# -- opening steps --------------------------------------------------------------------


@dataclass(frozen=True)
class TaskPlan:
    step: Step
    unit: dict
    parent: str = ""
    assignee: int | None = None
    signer: bool = False


async def plan_step(ctx: Ctx, step: Step, *, unit: dict | None = None) -> list[TaskPlan]:
    """Route the step (each branch of a parallel one) and list the tasks it needs.

    ``unit`` pins the unit (a step a case is returned to goes back to whoever
    had it). A countersign step gets one task per officer holding its role
    at the unit; with nobody there yet, one unassigned task that signers can
    be added to.
    """
    if step.kind == "parallel":
        return [
            TaskPlan(branch, await _route(ctx, branch), parent=step.id) for branch in step.branches
        ]
    unit = unit or await _route(ctx, step)
    if step.countersign:
        signers = await access.members_of(unit["id"], step.role)
        if signers:
            return [TaskPlan(step, unit, assignee=s["id"], signer=True) for s in signers]
    return [TaskPlan(step, unit)]


async def _route(ctx: Ctx, step: Step) -> dict:
    return await routing.route_step(ctx.item, step, await ctx.filing_unit(), ctx.case)


async def create_tasks(ctx: Ctx, plans: list[TaskPlan]) -> list[int]:
    """Insert the planned tasks, each with its step's own clock, in the current batch."""
    ids = []
    for plan in plans:
        deadline = await timing.new_task_deadline(plan.step.days, ctx.now)
        row = (
            await Task.insert(
                Task(
                    case=ctx.case["id"],
                    step_id=plan.step.id,
                    parent_step=plan.parent,
                    unit=plan.unit["id"],
                    role=plan.step.role,
                    assignee=plan.assignee,
                    signer=plan.signer,
                    batch=ctx.case["event_count"],
                    created_at=ctx.now,
                    **deadline,
                )
            ).returning(Task.id)
        )[0]
        ids.append(row["id"])
    return ids


def plan_payload(step: Step, plans: list[TaskPlan]) -> dict:
    return {
        "step": step.id,
        "units": sorted({p.unit["code"] for p in plans}),
        **({"signers": [p.assignee for p in plans if p.assignee]} if step.countersign else {}),
    }


async def open_next(ctx: Ctx, done: Step, unit_id: int | None) -> None:
    """The step ``done`` finished well: open the next one, or finish automatically."""
    following = ctx.item.workflow.next_step(done.id)
    if following is None:
        if ctx.case["state"] == State.APPROVED:
            # No issue step: the result is electronic and issued by the system at once,
            # unless a module holds it (fees not yet paid): then it waits, approved.
            await issue_automatically(ctx, done.id, unit_id)
        return
    plans = await plan_step(ctx, following)
    payload = plan_payload(following, plans)
    if ctx.case["state"] == State.ACCEPTED:
        await record(
            ctx,
            "route",
            to_state=target(State.ACCEPTED, "start_review"),
            unit_id=plans[0].unit["id"],
            payload=payload,
            updates={"current_step": following.id},
            by_system=True,
        )
    else:
        await record(
            ctx,
            "forward",
            unit_id=plans[0].unit["id"],
            payload=payload,
            updates={"current_step": following.id},
            by_system=True,
        )
    await create_tasks(ctx, plans)


# -- the automatic issue -------------------------------------------------------------

HELD = "issue_held"


async def issue_hold(case: dict, item: Item) -> dict | None:
    """What the automatic issue of ``case`` must wait for (the plugins' say), or None."""
    # Await every answer (an un-awaited coroutine would be a plugin's check skipped).
    results = get_plugin_manager().hook.tongban_issue_hold(case=dict(case), item=item)
    holds = [await await_me_maybe(result) for result in results]
    return next((dict(hold) for hold in holds if hold), None)


async def issue_automatically(ctx: Ctx, step_id: str, unit_id: int | None) -> dict:
    """Issue the result of an approved case now, or record that it waits (``issue_held``).

    Returns the event written. Waiting does not count against the office's
    time limit: the clocks stopped at the decision and stay stopped.
    """
    hold = await issue_hold(ctx.case, ctx.item)
    if hold is not None:
        return await record(
            ctx,
            HELD,
            unit_id=unit_id,
            payload={**hold, "step": step_id, "automatic": True},
            by_system=True,
        )
    return await record(
        ctx,
        "issue",
        to_state=target(State.APPROVED, "issue"),
        unit_id=unit_id,
        payload={"step": step_id, "automatic": True},
        by_system=True,
    )


# -- finishing tasks ----------------------------------------------------------------


async def finish_task(
    ctx: Ctx, task: dict, outcome: str, opinion: str = "", *, silent: bool = False
) -> None:
    await Task.update(
        {
            Task.state: "done",
            Task.outcome: outcome,
            Task.opinion: opinion,
            Task.completed_at: ctx.now,
            Task.completed_by: None if silent or ctx.principal is None else ctx.principal.staff_id,
            Task.silent: silent,
            Task.light_changes_at: None,
        }
    ).where(Task.id == task["id"])


async def cancel_open_tasks(ctx: Ctx, *, where_step: str | None = None) -> list[int]:
    """Cancel the case's open tasks (all, or those of one step); returns their ids."""
    clause = (Task.case == ctx.case["id"]) & (Task.state == "open")
    if where_step is not None:
        clause = clause & (Task.step_id == where_step)
    rows = (
        await Task.update(
            {Task.state: "cancelled", Task.completed_at: ctx.now, Task.light_changes_at: None}
        )
        .where(clause)
        .returning(Task.id)
    )
    return [r["id"] for r in rows]


async def batch_tasks(case_id: int, batch: int, *, step_id: str = "", parent: str = "") -> list:
    clause = (Task.case == case_id) & (Task.batch == batch) & (Task.state != "cancelled")
    clause = clause & (Task.parent_step == parent if parent else Task.step_id == step_id)
    return await Task.select().where(clause)


async def countersign_complete(ctx: Ctx, step: Step, task: dict) -> bool:
    """After a signer agreed: is the step done? (any: yes; all: when everyone has signed)."""
    if step.countersign == "any":
        return True
    group = await batch_tasks(ctx.case["id"], task["batch"], step_id=step.id)
    return all(t["state"] == "done" and t["outcome"] in POSITIVE for t in group)


async def parallel_complete(ctx: Ctx, parent: Step, batch: int) -> bool:
    group = await batch_tasks(ctx.case["id"], batch, parent=parent.id)
    return len(group) >= len(parent.branches) and all(
        t["state"] == "done" and t["outcome"] in POSITIVE for t in group
    )


async def join_parallel(ctx: Ctx, parent: Step, batch: int, unit_id: int | None) -> None:
    """Every branch agreed: a joint decision approves the case, a joint review moves on."""
    group = await batch_tasks(ctx.case["id"], batch, parent=parent.id)
    payload = {
        "step": parent.id,
        "joined": True,
        "branches": {t["step_id"]: ("silent" if t["silent"] else t["outcome"]) for t in group},
    }
    if ctx.item.workflow.decision_step().id == parent.id:
        await record(
            ctx,
            "approve",
            to_state=target(ctx.case["state"], "approve"),
            unit_id=unit_id,
            payload=payload,
            updates={"decided_at": ctx.now, "outcome": "approved", "light_changes_at": None},
            by_system=True,
        )
        await timing.stop_clocks(ctx.case["id"], ctx.now)
    else:
        await record(ctx, "review_passed", unit_id=unit_id, payload=payload, by_system=True)
    await open_next(ctx, parent, unit_id)
