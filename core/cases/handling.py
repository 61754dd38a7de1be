"""Handling a case: every action a person takes on it, each in one transaction.

:func:`act` is the single entry point. It finds the case the person may
change (or answers "no such case"), picks the handler for the action and
runs it inside a transaction, so a refused action — illegal in this state,
not the person's task, a missing reason — changes nothing at all.

Step actions (accept, pass, approve …, here) need an open task the person
holds whose step offers the action; case actions (supply, withdraw, close,
suspend, resume, in :mod:`.case_actions`) are taken for the applicant or by
whoever works the case; task actions (claim, delegate, transfer …) live in
:mod:`.task_actions`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from core.cases import access, case_actions, flow, supplement, task_actions, timing
from core.cases.errors import (
    ActionNotAllowed,
    DeliveryNotAllowed,
    InvalidChoice,
)
from core.cases.flow import Ctx, record
from core.cases.holding import (
    DELIVERY_METHODS,
    ActionInput,
    filer_unit,
    held_task,
    pause_task_lights,
    transition_of,
    with_opinion,
)
from core.cases.states import REASON_REQUIRED, target
from core.cases.tables import Case
from core.catalog.versions import item_for_version
from core.db import transaction
from core.deadlines.clock import Clock
from core.deadlines.site_calendar import site_calendar
from core.errors import PermissionDenied, ReasonRequired
from core.i18n import N_
from core.plugins import await_me_maybe, get_plugin_manager
from core.tenancy.scope import Principal


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
    # Plugins' checks (unpaid fees block the issue step …): a refusal changes nothing.
    for result in get_plugin_manager().hook.tongban_before_case_action(
        case=case, action=action, item=item, principal=principal
    ):
        await await_me_maybe(result)
    ctx = Ctx(principal=principal, case=case, item=item, now=timing.utcnow())
    async with transaction():
        await handler(ctx, data, action)
    return await Case.select().where(Case.id == case_id).first()


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
        payload=with_opinion(
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
    await pause_task_lights(ctx)


async def _pass_or_approve(ctx: Ctx, data: ActionInput, action: str) -> None:
    task, step = await held_task(ctx, action, data.task_id)
    parent = ctx.item.workflow.parent_of(step.id)
    target(ctx.case["state"], transition_of(ctx, action, step))
    await flow.finish_task(ctx, task, action, data.opinion or data.reason)
    payload = with_opinion({"step": step.id}, data)
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
        payload=with_opinion(
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
        payload=with_opinion({"step": step.id}, data),
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
        unit_id = filer_unit(ctx)
    await record(ctx, "deliver", to_state=to_state, unit_id=unit_id, payload=payload)


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
    **case_actions.HANDLERS,
    **{name: task_actions.handle for name in task_actions.ACTIONS},
}
