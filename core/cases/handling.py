"""Handling a case: every action a person takes on it, each in one transaction.

:func:`act` is the single entry point. It finds the case the person may
change (or answers "no such case"), picks the handler for the action and
runs it inside a transaction, so a refused action — illegal in this state,
not the person's task, a missing reason — changes nothing at all.

Step actions (accept, pass, approve …) need an open task the person holds
whose step offers the action; case actions (supply, withdraw, close,
resume, deliver) are taken for the applicant or by whoever works the case;
task actions (claim, delegate, transfer …) live in :mod:`.task_actions`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.cases import access, flow, supplement, task_actions, timing
from core.cases.errors import (
    ActionNotAllowed,
    DeliveryNotAllowed,
    InvalidChoice,
    NotYourTask,
    ProcedureNotAllowed,
)
from core.cases.flow import Ctx, record
from core.cases.states import REASON_REQUIRED, target
from core.cases.tables import Case, Task
from core.catalog.versions import item_for_version
from core.catalog.workflow import Step
from core.db import transaction
from core.deadlines.clock import Clock
from core.deadlines.site_calendar import site_calendar
from core.errors import PermissionDenied, ReasonRequired
from core.i18n import N_
from core.tenancy.scope import Principal

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


async def act(principal: Principal, case_id: int, action: str, **params) -> dict:
    """Take ``action`` on a case. Returns the updated case row.

    Raises a :class:`~core.errors.TongbanError` (translated for the person)
    and changes nothing when the action is not allowed.
    """
    action = (action or "").strip()
    data = ActionInput(**{k: v for k, v in params.items() if k in ActionInput.__dataclass_fields__})
    case = await access.visible_case(principal, case_id, write=True)
    handler = HANDLERS.get(action)
    if handler is None:
        raise ActionNotAllowed(case["state"], action[:32])
    if action in REASON_REQUIRED and not data.reason.strip():
        raise ReasonRequired()
    item = await item_for_version(case["item_version"])
    ctx = Ctx(principal=principal, case=case, item=item, now=timing.utcnow())
    async with transaction():
        await handler(ctx, data, action)
    return await Case.select().where(Case.id == case_id).first()


async def held_task(ctx: Ctx, action: str, task_id: int | None) -> tuple[dict, Step]:
    """The open task the person holds that offers ``action``, with its step.

    Illegal for the case's state → ActionNotAllowed; legal, but another
    person's task → NotYourTask.
    """
    target(ctx.case["state"], _transition_of(ctx, action, None))
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


def _transition_of(ctx: Ctx, action: str, step: Step | None) -> str:
    """The state-machine action behind a step action (a branch's approval is not the case's)."""
    if action in ("pass", "approve") and step is not None and ctx.item.workflow.parent_of(step.id):
        return "branch_approve"
    return action


# -- step actions ----------------------------------------------------------------------


async def _accept(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    to_state = target(ctx.case["state"], "accept")
    limit = ctx.item.committed_days
    clock = Clock(ctx.now, limit, await site_calendar())
    columns = timing.evaluate(clock, "", ctx.now)
    await flow.finish_task(ctx, task, "accept", data.opinion)
    await record(
        ctx,
        "accept",
        to_state=to_state,
        unit_id=task["unit"],
        payload=_with_opinion(
            {"step": step.id, "limit_days": limit, "due_on": columns["due_on"].isoformat()},
            data,
        ),
        updates={"accepted_at": ctx.now, "limit_days": limit, **columns},
    )
    await flow.open_next(ctx, step, task["unit"])


async def _refuse(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    to_state = target(ctx.case["state"], "refuse")
    await flow.finish_task(ctx, task, "refuse", data.reason)
    await flow.cancel_open_tasks(ctx)
    await record(
        ctx,
        "refuse",
        to_state=to_state,
        unit_id=task["unit"],
        reason=data.reason.strip(),
        payload={"step": step.id},
        updates={"light_changes_at": None},
    )
    await timing.stop_clocks(ctx.case["id"], ctx.now)


async def _request_supplement(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    to_state = target(ctx.case["state"], "request_supplement")
    materials = supplement.materials_from(ctx.item, data.materials)
    repeated = await supplement.check_repeat(ctx.case["id"], materials, data.justification)
    reason = data.reason.strip()
    notice = supplement.notice_text(ctx.item, ctx.case["tracking_code"] or "", materials, reason)
    await timing.open_pause(ctx.case["id"], "supplement", ctx.now)
    payload = {"step": step.id, "materials": materials, "notice": notice}
    if repeated:
        payload |= {"repeated": repeated, "justification": data.justification.strip()[:500]}
    await record(
        ctx,
        "request_supplement",
        to_state=to_state,
        unit_id=task["unit"],
        reason=reason,
        payload=payload,
        updates={"light_changes_at": None},
    )
    await _pause_task_lights(ctx)


async def _pass_or_approve(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    parent = ctx.item.workflow.parent_of(step.id)
    target(ctx.case["state"], _transition_of(ctx, action, step))
    await flow.finish_task(ctx, task, action, data.opinion or data.reason)
    payload = _with_opinion({"step": step.id}, data)
    if parent is not None:
        await record(ctx, "branch_approved", unit_id=task["unit"], payload=payload)
        if await flow.parallel_complete(ctx, parent, task["batch"]):
            await flow.join_parallel(ctx, parent, task["batch"], task["unit"])
        return
    if step.countersign and not await flow.countersign_complete(ctx, step, task):
        await record(ctx, "sign", unit_id=task["unit"], payload=payload | {"outcome": action})
        return
    if step.countersign:
        cancelled = await flow.cancel_open_tasks(ctx, where_step=step.id)
        payload |= {"countersign": step.countersign, "unsigned": len(cancelled)}
    if action == "pass":
        await record(ctx, "review_passed", unit_id=task["unit"], payload=payload)
    else:
        await record(
            ctx,
            "approve",
            to_state=target(ctx.case["state"], "approve"),
            unit_id=task["unit"],
            reason=data.reason.strip(),
            payload=payload,
            updates={"decided_at": ctx.now, "outcome": "approved", "light_changes_at": None},
        )
        await timing.stop_clocks(ctx.case["id"], ctx.now)
    await flow.open_next(ctx, step, task["unit"])


async def _deny(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    to_state = target(ctx.case["state"], "deny")
    await flow.finish_task(ctx, task, "deny", data.opinion or data.reason)
    cancelled = await flow.cancel_open_tasks(ctx)
    parent = ctx.item.workflow.parent_of(step.id)
    await record(
        ctx,
        "deny",
        to_state=to_state,
        unit_id=task["unit"],
        reason=data.reason.strip(),
        payload=_with_opinion(
            {
                "step": step.id,
                **({"branch_of": parent.id} if parent else {}),
                "cancelled": len(cancelled),
            },
            data,
        ),
        updates={"decided_at": ctx.now, "outcome": "denied", "light_changes_at": None},
    )
    await timing.stop_clocks(ctx.case["id"], ctx.now)


async def _issue(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    to_state = target(ctx.case["state"], "issue")
    await flow.finish_task(ctx, task, "issue", data.opinion)
    await record(
        ctx,
        "issue",
        to_state=to_state,
        unit_id=task["unit"],
        payload=_with_opinion({"step": step.id}, data),
    )
    await flow.open_next(ctx, step, task["unit"])


async def _deliver(ctx: Ctx, data: ActionInput, action: str) -> None:
    """Hand the result over: by the deliver step's holder, or (no such step) the filer."""
    to_state = target(ctx.case["state"], "deliver")
    method = data.method.strip()
    if method not in DELIVERY_METHODS:
        raise InvalidChoice(what=N_("delivery method"))
    if method == "post" and not ctx.item.postal_delivery:
        raise DeliveryNotAllowed()
    has_step = any(s.kind == "deliver" for s in ctx.item.workflow.steps)
    payload = {"method": method, "reference": data.reference.strip()[:64]}
    if has_step:
        task, step = await held_task(ctx, action, data.task_id)
        await flow.finish_task(ctx, task, "deliver")
        unit_id = task["unit"]
        payload["step"] = step.id
    else:
        if not access.speaks_for_applicant(ctx.principal, ctx.case):
            raise PermissionDenied()
        unit_id = _filer_unit(ctx)
    await record(ctx, "deliver", to_state=to_state, unit_id=unit_id, payload=payload)


# -- case actions -------------------------------------------------------------------


async def _supply(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "supply")
    if not (access.speaks_for_applicant(ctx.principal, ctx.case) or await _holds_any(ctx)):
        raise PermissionDenied()
    requested = await supplement.outstanding(ctx.case["id"])
    codes = supplement.check_supplied(requested, data.materials)
    await timing.close_pauses(ctx.case["id"], ctx.now)
    columns = await timing.case_deadline(ctx.case, ctx.now)
    await record(
        ctx,
        "supply",
        to_state=to_state,
        unit_id=_filer_unit(ctx),
        reason=data.reason.strip(),
        payload={"materials": codes},
        updates=columns,
    )
    await timing.refresh_tasks(ctx.case["id"], ctx.now)


async def _withdraw(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "withdraw")
    if not access.speaks_for_applicant(ctx.principal, ctx.case):
        raise PermissionDenied()
    cancelled = await flow.cancel_open_tasks(ctx)
    await timing.close_pauses(ctx.case["id"], ctx.now)
    await record(
        ctx,
        "withdraw",
        to_state=to_state,
        unit_id=_filer_unit(ctx),
        reason=data.reason.strip(),
        payload={"cancelled": len(cancelled)},
        updates={"light_changes_at": None},
    )
    await timing.stop_clocks(ctx.case["id"], ctx.now)


async def _close(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "close")
    if not access.speaks_for_applicant(ctx.principal, ctx.case):
        raise PermissionDenied()
    await record(ctx, "close", to_state=to_state, unit_id=_filer_unit(ctx))


async def _suspend(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    to_state = target(ctx.case["state"], "suspend")
    procedure = data.procedure.strip()
    if procedure not in ctx.item.excluded_procedures:
        raise ProcedureNotAllowed(procedure=procedure[:40])
    await timing.open_pause(ctx.case["id"], "suspended", ctx.now, procedure)
    await record(
        ctx,
        "suspend",
        to_state=to_state,
        unit_id=task["unit"],
        reason=data.reason.strip(),
        payload={"step": step.id, "procedure": procedure},
        updates={"light_changes_at": None},
    )
    await _pause_task_lights(ctx)


async def _resume(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "resume")
    unit_id = await _holds_any(ctx)
    if unit_id is None:
        filing = await ctx.filing_unit()
        if not access.supervises(ctx.principal, filing["path"]):
            raise NotYourTask()
        unit_id = filing["id"]
    await timing.close_pauses(ctx.case["id"], ctx.now)
    columns = await timing.case_deadline(ctx.case, ctx.now)
    await record(
        ctx,
        "resume",
        to_state=to_state,
        unit_id=unit_id,
        reason=data.reason.strip(),
        updates=columns,
    )
    await timing.refresh_tasks(ctx.case["id"], ctx.now)


# -- helpers ------------------------------------------------------------------------


def _with_opinion(payload: dict, data: ActionInput) -> dict:
    opinion = data.opinion.strip()[:2000]
    return payload | {"opinion": opinion} if opinion else payload


def _filer_unit(ctx: Ctx) -> int:
    """The unit the person speaks for the applicant from (filing or accepting unit)."""
    for m in ctx.principal.writable_memberships:
        if m.unit_id in (ctx.case["filed_unit"], ctx.case["accepting_unit"]):
            return m.unit_id
    return ctx.case["filed_unit"]


async def _holds_any(ctx: Ctx) -> int | None:
    """The unit of an open task of the case the person holds, if any."""
    for task in await access.open_tasks_for(ctx.principal, ctx.case["id"]):
        return task["unit"]
    return None


async def _pause_task_lights(ctx: Ctx) -> None:
    await Task.update({Task.light_changes_at: None}).where(
        (Task.case == ctx.case["id"]) & (Task.state == "open")
    )


Handler = Callable[[Ctx, ActionInput, str], Awaitable[None]]

HANDLERS: dict[str, Handler] = {
    "accept": _accept,
    "refuse": _refuse,
    "request_supplement": _request_supplement,
    "pass": _pass_or_approve,
    "approve": _pass_or_approve,
    "deny": _deny,
    "issue": _issue,
    "deliver": _deliver,
    "supply": _supply,
    "withdraw": _withdraw,
    "close": _close,
    "suspend": _suspend,
    "resume": _resume,
    **{name: task_actions.handle for name in task_actions.ACTIONS},
}
