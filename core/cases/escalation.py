"""Red lights go up to a supervisor (督办): once per overdue task and cause.

The escalation row's ``key`` is unique, and it is written in the same
transaction as the red light's event, so a sweep that dies half-way and
runs again, or two sweeps racing, escalate each overdue task exactly once.
The ``escalate`` event then reaches the supervisor through the outbox as a
notification, also exactly once.
"""

from __future__ import annotations

from core.cases import access
from core.cases.flow import Ctx, record
from core.cases.tables import Escalation, Task
from core.tenancy.tables import Unit


async def escalate(ctx: Ctx, cause: str, tasks: list[dict] | None = None) -> list[dict]:
    """Escalate the given open tasks (default: all of the case's); returns the new ones."""
    if tasks is None:
        tasks = await Task.select(Task.id, Task.unit, Task.step_id).where(
            (Task.case == ctx.case["id"]) & (Task.state == "open")
        )
    targets = [(t["id"], t["unit"], t["step_id"]) for t in tasks] or [
        (None, ctx.case["accepting_unit"], ctx.case.get("current_step", ""))
    ]
    created = []
    for task_id, unit_id, step_id in targets:
        unit = await Unit.select(Unit.id, Unit.code, Unit.path).where(Unit.id == unit_id).first()
        supervisor_unit = await access.nearest_supervisor_unit(unit["path"])
        key = f"{cause}:{ctx.case['id']}:{task_id or 'case'}"
        inserted = (
            await Escalation.insert(
                Escalation(
                    key=key,
                    case=ctx.case["id"],
                    task=task_id,
                    cause=cause,
                    unit=unit_id,
                    supervisor_unit=supervisor_unit,
                    created_at=ctx.now,
                )
            )
            .on_conflict(target=Escalation.key, action="DO NOTHING")
            .returning(Escalation.id)
        )
        if inserted:
            created.append(
                {
                    "escalation": inserted[0]["id"],
                    "task": task_id,
                    "step": step_id,
                    "unit": unit["code"],
                    "supervisor_unit": supervisor_unit,
                }
            )
    if created:
        await record(
            ctx,
            "escalate",
            unit_id=targets[0][1],
            payload={"cause": cause, "escalations": created},
            by_system=True,
        )
    return created
