"""Who holds the task an action needs, and what an action's input is.

Shared by the step actions (:mod:`.handling`) and the case actions
(:mod:`.case_actions`): the step kinds' actions, the one input structure
every action reads from, and finding the open task a person holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.cases import access
from core.cases.errors import ActionNotAllowed, NotYourTask
from core.cases.flow import Ctx
from core.cases.states import target
from core.cases.tables import Task
from core.catalog.workflow import Step

# What the holder of a step's task may do, by the step's kind.
STEP_ACTIONS: dict[str, tuple[str, ...]] = {
    "accept": ("accept", "refuse", "request_supplement"),
    "review": ("pass", "deny", "request_supplement", "suspend"),
    "decide": ("approve", "deny", "request_supplement", "suspend"),
    "issue": ("issue",),
    "deliver": ("deliver",),
}
DELIVERY_METHODS = ("window", "post", "electronic")


@dataclass(frozen=True)
class ActionInput:
    """Everything an action may need; each handler reads what it uses."""

    task_id: int | None = None
    reason: str = ""
    opinion: str = ""
    materials: tuple = ()
    justification: str = ""
    to_step: str = ""
    to_unit: str = ""
    to_staff: int | None = None
    method: str = ""
    reference: str = ""
    procedure: str = ""
    extra: dict = field(default_factory=dict)


def step_actions(step: Step, item) -> tuple[str, ...]:
    """The step actions a task of ``step`` offers (suspension only where the law lists one)."""
    actions = STEP_ACTIONS.get(step.kind, ())
    if not item.excluded_procedures:
        actions = tuple(a for a in actions if a != "suspend")
    return actions


async def held_task(ctx: Ctx, action: str, task_id: int | None) -> tuple[dict, Step]:
    """The open task the person holds that offers ``action``, with its step.

    Illegal for the case's state → ActionNotAllowed; legal, but another
    person's task → NotYourTask.
    """
    target(ctx.case["state"], transition_of(ctx, action, None))
    workflow = ctx.item.workflow
    rows = await Task.select().where((Task.case == ctx.case["id"]) & (Task.state == "open"))
    if task_id is not None:
        rows = [t for t in rows if t["id"] == task_id]
    offering = [t for t in rows if action in step_actions(workflow.step(t["step_id"]), ctx.item)]
    mine = [t for t in offering if access.holds(ctx.principal, t)]
    if mine:
        task = mine[0]
        return task, workflow.step(task["step_id"])
    if offering:
        raise NotYourTask()
    raise ActionNotAllowed(ctx.case["state"], action)


def transition_of(ctx: Ctx, action: str, step: Step | None) -> str:
    """The state-machine action behind a step action (a branch's approval is not the case's)."""
    if action in ("pass", "approve") and step is not None and ctx.item.workflow.parent_of(step.id):
        return "branch_approve"
    return action


def with_opinion(payload: dict, data: ActionInput) -> dict:
    opinion = data.opinion.strip()[:2000]
    return payload | {"opinion": opinion} if opinion else payload


def filer_unit(ctx: Ctx) -> int:
    """The unit the person speaks for the applicant from (filing or accepting unit)."""
    for m in ctx.principal.writable_memberships:
        if m.unit_id in (ctx.case["filed_unit"], ctx.case["accepting_unit"]):
            return m.unit_id
    return ctx.case["filed_unit"]


async def holds_any(ctx: Ctx) -> int | None:
    """The unit of an open task of the case the person holds, if any."""
    for task in await access.open_tasks_for(ctx.principal, ctx.case["id"]):
        return task["unit"]
    return None


async def pause_task_lights(ctx: Ctx) -> None:
    await Task.update({Task.light_changes_at: None}).where(
        (Task.case == ctx.case["id"]) & (Task.state == "open")
    )
