"""Case actions: taken for the applicant or by whoever works the case, not tied to
one step — hand in a supplement, withdraw, close, suspend for a legal procedure,
resume. Each runs inside :func:`core.cases.handling.act`'s transaction.
"""

from __future__ import annotations

from core.cases import access, flow, supplement, timing
from core.cases.errors import NotYourTask, ProcedureNotAllowed
from core.cases.flow import Ctx, record
from core.cases.holding import (
    ActionInput,
    filer_unit,
    held_task,
    holds_any,
    pause_task_lights,
)
from core.cases.states import target
from core.errors import PermissionDenied


async def supply(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "supply")
    if not (access.speaks_for_applicant(ctx.principal, ctx.case) or await holds_any(ctx)):
        raise PermissionDenied()
    requested = await supplement.outstanding(ctx.case["id"])
    codes = supplement.check_supplied(requested, data.materials)
    await timing.close_pauses(ctx.case["id"], ctx.now)
    columns = await timing.case_deadline(ctx.case, ctx.now)
    await record(
        ctx,
        "supply",
        to_state=to_state,
        unit_id=filer_unit(ctx),
        reason=data.reason.strip(),
        payload={"materials": codes},
        updates=columns,
    )
    await timing.refresh_tasks(ctx.case["id"], ctx.now)


async def withdraw(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "withdraw")
    if not access.speaks_for_applicant(ctx.principal, ctx.case):
        raise PermissionDenied()
    cancelled = await flow.cancel_open_tasks(ctx)
    await timing.close_pauses(ctx.case["id"], ctx.now)
    await record(
        ctx,
        "withdraw",
        to_state=to_state,
        unit_id=filer_unit(ctx),
        reason=data.reason.strip(),
        payload={"cancelled": len(cancelled)},
        updates={"light_changes_at": None},
    )
    await timing.stop_clocks(ctx.case["id"], ctx.now)


async def close(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "close")
    if not access.speaks_for_applicant(ctx.principal, ctx.case):
        raise PermissionDenied()
    await record(ctx, "close", to_state=to_state, unit_id=filer_unit(ctx))


async def suspend(ctx: Ctx, data: ActionInput, action: str) -> None:
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
    await pause_task_lights(ctx)


async def resume(ctx: Ctx, data: ActionInput, action: str) -> None:
    to_state = target(ctx.case["state"], "resume")
    unit_id = await holds_any(ctx)
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


HANDLERS = {
    "supply": supply,
    "withdraw": withdraw,
    "close": close,
    "suspend": suspend,
    "resume": resume,
}
