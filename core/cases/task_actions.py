"""Work on tasks: claim, release, delegate (委派), transfer (转办), reassign,
add or remove a countersign signer (加签/减签), and return to an earlier step (退回).

Each is an audited case event, allowed only where the step's declaration
(``allow``) and the person's role permit it:

- claim/release: anyone holding the task's role at its unit / the claimer;
- delegate, transfer, return: whoever holds the task, where the step allows;
- add/remove a signer: a signer of the step or a supervisor, where allowed;
- reassign (and transfer by a supervisor): a unit supervisor at or above.
"""

from __future__ import annotations

from core.cases import access, flow
from core.cases.errors import (
    ActionNotAllowed,
    InvalidChoice,
    LastSigner,
    NotSupervisor,
    NotYourTask,
    StepDoesNotAllow,
)
from core.cases.flow import Ctx, record
from core.cases.states import check_task_action, target
from core.cases.tables import Task
from core.catalog.registry import get_catalog
from core.catalog.workflow import Step
from core.i18n import N_
from core.tenancy.tables import Membership, Unit

ACTIONS = (
    "claim",
    "release",
    "delegate",
    "transfer",
    "reassign",
    "add_signer",
    "remove_signer",
    "return",
)


async def handle(ctx: Ctx, data, action: str) -> None:
    if action == "return":
        target(ctx.case["state"], "return")
    else:
        check_task_action(ctx.case["state"], action)
    await _HANDLERS[action](ctx, data)


async def _open_tasks(ctx: Ctx, task_id: int | None) -> list[dict]:
    rows = await Task.select().where((Task.case == ctx.case["id"]) & (Task.state == "open"))
    return [t for t in rows if task_id is None or t["id"] == task_id]


def _step(ctx: Ctx, task: dict) -> Step:
    return ctx.item.workflow.step(task["step_id"])


async def _unit_path(unit_id: int) -> str:
    unit = await access.unit_row(unit_id)
    return unit["path"] if unit else ""


def _require_allowed(step: Step, action: str) -> None:
    if action not in step.allow:
        raise StepDoesNotAllow(action)


async def _held(ctx: Ctx, data, action: str) -> tuple[dict, Step]:
    """A task the person holds and whose step allows ``action``."""
    tasks = await _open_tasks(ctx, data.task_id)
    mine = [t for t in tasks if access.holds(ctx.principal, t)]
    if not mine:
        raise NotYourTask() if tasks else ActionNotAllowed(ctx.case["state"], action)
    allowed = [t for t in mine if action in _step(ctx, t).allow]
    if not allowed:
        raise StepDoesNotAllow(action)
    return allowed[0], _step(ctx, allowed[0])


def _payload(step: Step, task: dict, **more) -> dict:
    return {"step": step.id, "task": task["id"], **more}


# -- claim and release ------------------------------------------------------------------


async def _claim(ctx: Ctx, data) -> None:
    tasks = await _open_tasks(ctx, data.task_id)
    pool = [
        t
        for t in tasks
        if t["assignee"] is None
        and any(
            m.unit_id == t["unit"] and m.role == t["role"]
            for m in ctx.principal.writable_memberships
        )
    ]
    if not pool:
        raise NotYourTask() if tasks else ActionNotAllowed(ctx.case["state"], "claim")
    task = pool[0]
    await Task.update({Task.assignee: ctx.principal.staff_id, Task.claimed_at: ctx.now}).where(
        Task.id == task["id"]
    )
    await record(ctx, "claim", unit_id=task["unit"], payload=_payload(_step(ctx, task), task))


async def _release(ctx: Ctx, data) -> None:
    tasks = await _open_tasks(ctx, data.task_id)
    mine = [
        t
        for t in tasks
        if not t["signer"] and ctx.principal.staff_id in (t["assignee"], t["responsible"])
    ]
    if not mine:
        raise NotYourTask() if tasks else ActionNotAllowed(ctx.case["state"], "release")
    task = mine[0]
    await Task.update({Task.assignee: None, Task.responsible: None, Task.claimed_at: None}).where(
        Task.id == task["id"]
    )
    await record(ctx, "release", unit_id=task["unit"], payload=_payload(_step(ctx, task), task))


# -- delegate, reassign -------------------------------------------------------------------


async def _colleague(unit_id: int, staff_id: int | None, role: str | None = None) -> dict:
    """A person with a (writable) membership at the unit — the only valid target."""
    if staff_id is None:
        raise InvalidChoice(what=N_("colleague"))
    roles = get_catalog().roles
    rows = await Membership.select(Membership.role, Membership.staff.display_name).where(
        (Membership.unit == unit_id)
        & (Membership.staff == staff_id)
        & (Membership.staff.active == True)  # noqa: E712
    )
    rows = [
        r
        for r in rows
        if not (roles.get(r["role"]) and roles[r["role"]].read_only)
        and (role is None or r["role"] == role)
    ]
    if not rows:
        raise InvalidChoice(what=N_("colleague"))
    return {"id": staff_id, "name": rows[0]["staff.display_name"]}


async def _delegate(ctx: Ctx, data) -> None:
    task, step = await _held(ctx, data, "delegate")
    colleague = await _colleague(task["unit"], data.to_staff)
    me = ctx.principal.staff_id
    if colleague["id"] in (me, task["assignee"]):
        raise InvalidChoice(what=N_("colleague"))
    responsible = task["responsible"] or me
    await Task.update(
        {Task.assignee: colleague["id"], Task.responsible: responsible, Task.claimed_at: ctx.now}
    ).where(Task.id == task["id"])
    await record(
        ctx,
        "delegate",
        unit_id=task["unit"],
        reason=data.reason.strip(),
        payload=_payload(
            step,
            task,
            to=colleague["id"],
            to_name=colleague["name"],
            responsible=responsible,
            responsible_name=await access.staff_name(responsible),
        ),
    )


async def _reassign(ctx: Ctx, data) -> None:
    tasks = [
        t
        for t in await _open_tasks(ctx, data.task_id)
        if access.supervises(ctx.principal, await _unit_path(t["unit"]))
    ]
    if not tasks:
        raise NotSupervisor()
    task = tasks[0]
    step = _step(ctx, task)
    if data.to_staff is None:
        to = None
    else:
        to = await _colleague(task["unit"], data.to_staff, role=task["role"])
    await Task.update(
        {
            Task.assignee: to["id"] if to else None,
            Task.responsible: None,
            Task.claimed_at: ctx.now if to else None,
        }
    ).where(Task.id == task["id"])
    await record(
        ctx,
        "reassign",
        unit_id=task["unit"],
        reason=data.reason.strip(),
        payload=_payload(step, task, to=to["id"] if to else None, to_name=to["name"] if to else ""),
    )


# -- transfer ---------------------------------------------------------------------------


async def _transfer(ctx: Ctx, data) -> None:
    tasks = await _open_tasks(ctx, data.task_id)
    mine = [t for t in tasks if access.holds(ctx.principal, t)]
    supervised = [t for t in tasks if access.supervises(ctx.principal, await _unit_path(t["unit"]))]
    candidates = mine or supervised
    if not candidates:
        raise NotYourTask() if tasks else ActionNotAllowed(ctx.case["state"], "transfer")
    task = candidates[0]
    step = _step(ctx, task)
    _require_allowed(step, "transfer")
    kinds = step.transfer_kinds or (step.unit_kind,)
    code = data.to_unit.strip()
    unit = await (
        Unit.select(Unit.id, Unit.code, Unit.name, Unit.kind)
        .where((Unit.code == code) & (Unit.active == True))  # noqa: E712
        .first()
    )
    if unit is None or unit["kind"] not in kinds or unit["id"] == task["unit"]:
        raise InvalidChoice(what=N_("unit"))
    before = await access.unit_row(task["unit"])
    await Task.update(
        {Task.unit: unit["id"], Task.assignee: None, Task.responsible: None, Task.claimed_at: None}
    ).where(Task.id == task["id"])
    updates = {"accepting_unit": unit["id"]} if step.kind == "accept" else None
    await record(
        ctx,
        "transfer",
        unit_id=unit["id"],
        reason=data.reason.strip(),
        payload=_payload(step, task, from_unit=before["code"], to_unit=unit["code"]),
        updates=updates,
    )


# -- countersign signers ------------------------------------------------------------------


async def _signer_group(ctx: Ctx, data, action: str) -> tuple[Step, dict, list[dict]]:
    """The countersign step being worked on, a reference task, and its live signers."""
    tasks = [t for t in await _open_tasks(ctx, None) if _step(ctx, t).countersign]
    if data.task_id is not None:
        tasks = [t for t in tasks if t["id"] == data.task_id] or tasks
    if not tasks:
        raise ActionNotAllowed(ctx.case["state"], action)
    reference = tasks[0]
    step = _step(ctx, reference)
    _require_allowed(step, action)
    group = await flow.batch_tasks(ctx.case["id"], reference["batch"], step_id=step.id)
    signer_of_step = any(access.holds(ctx.principal, t) for t in group if t["state"] == "open")
    if not signer_of_step and not access.supervises(
        ctx.principal, await _unit_path(reference["unit"])
    ):
        raise NotYourTask()
    return step, reference, group


async def _add_signer(ctx: Ctx, data) -> None:
    step, reference, group = await _signer_group(ctx, data, "add_signer")
    colleague = await _colleague(reference["unit"], data.to_staff)
    if any(t["assignee"] == colleague["id"] for t in group):
        raise InvalidChoice(what=N_("colleague"))
    unassigned = next((t for t in group if t["assignee"] is None and t["state"] == "open"), None)
    if unassigned is not None:
        await Task.update({Task.assignee: colleague["id"], Task.signer: True}).where(
            Task.id == unassigned["id"]
        )
    else:
        await Task.insert(
            Task(
                case=ctx.case["id"],
                step_id=step.id,
                unit=reference["unit"],
                role=reference["role"],
                assignee=colleague["id"],
                signer=True,
                batch=reference["batch"],
                created_at=reference["created_at"],
                days=reference["days"],
                due_on=reference["due_on"],
                light=reference["light"],
                light_changes_at=reference["light_changes_at"],
            )
        )
    await record(
        ctx,
        "add_signer",
        unit_id=reference["unit"],
        reason=data.reason.strip(),
        payload={"step": step.id, "signer": colleague["id"], "signer_name": colleague["name"]},
    )


async def _remove_signer(ctx: Ctx, data) -> None:
    step, reference, group = await _signer_group(ctx, data, "remove_signer")
    pending = [t for t in group if t["state"] == "open"]
    task = next((t for t in pending if t["assignee"] == data.to_staff), None)
    if task is None:
        raise InvalidChoice(what=N_("signer who has not signed yet"))
    if len(pending) == 1:
        raise LastSigner()
    await Task.update(
        {Task.state: "cancelled", Task.completed_at: ctx.now, Task.light_changes_at: None}
    ).where(Task.id == task["id"])
    await record(
        ctx,
        "remove_signer",
        unit_id=reference["unit"],
        reason=data.reason.strip(),
        payload={
            "step": step.id,
            "signer": task["assignee"],
            "signer_name": await access.staff_name(task["assignee"]),
        },
    )


# -- return to an earlier step ------------------------------------------------------------


async def _return(ctx: Ctx, data) -> None:
    task, step = await _held(ctx, data, "return")
    targets = {s.id: s for s in ctx.item.workflow.return_targets(step.id)}
    back_to = targets.get(data.to_step.strip())
    if back_to is None:
        raise InvalidChoice(what=N_("step to return to"))
    earlier = await (
        Task.select(Task.unit)
        .where((Task.case == ctx.case["id"]) & (Task.step_id == back_to.id))
        .order_by(Task.id, ascending=False)
        .first()
    )
    pinned = (
        await access.unit_row(earlier["unit"]) if earlier and back_to.kind != "parallel" else None
    )
    plans = await flow.plan_step(ctx, back_to, unit=pinned)
    cancelled = await flow.cancel_open_tasks(ctx)
    await record(
        ctx,
        "return",
        unit_id=plans[0].unit["id"],
        reason=data.reason.strip(),
        payload=flow.plan_payload(back_to, plans)
        | {"from_step": step.id, "cancelled": len(cancelled)},
        updates={"current_step": back_to.id},
    )
    await flow.create_tasks(ctx, plans)


_HANDLERS = {
    "claim": _claim,
    "release": _release,
    "delegate": _delegate,
    "reassign": _reassign,
    "transfer": _transfer,
    "add_signer": _add_signer,
    "remove_signer": _remove_signer,
    "return": _return,
}
