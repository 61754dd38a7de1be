"""Read-side queries for case pages: lists, queues, timelines. Always scoped."""

from __future__ import annotations

from core.cases.tables import Case, CaseEvent, Task
from core.tenancy.scope import Principal, case_visibility
from core.tenancy.tables import Unit

CASE_LIST_COLUMNS = (
    Case.id,
    Case.tracking_code,
    Case.item_code,
    Case.state,
    Case.outcome,
    Case.created_at,
    Case.updated_at,
    Case.due_on,
    Case.light,
    Case.filed_unit.name,
    Case.filed_unit.name_en,
)


async def cases_filed_by(principal: Principal, limit: int = 50) -> list[dict]:
    where = case_visibility(principal, Case, Task)
    if where is None:
        return []
    return await (
        Case.select(*CASE_LIST_COLUMNS)
        .where(where & (Case.filed_by == principal.staff_id))
        .order_by(Case.id, ascending=False)
        .limit(limit)
    )


async def queue(principal: Principal, limit: int = 100) -> list[dict]:
    """Open tasks at the principal's units for roles they hold, oldest due first."""
    pairs = [(m.unit_id, m.role) for m in principal.memberships]
    if not pairs:
        return []
    clause = None
    for unit_id, role in pairs:
        part = (Task.unit == unit_id) & (Task.role == role)
        clause = part if clause is None else clause | part
    return await (
        Task.select(
            Task.id,
            Task.step_id,
            Task.role,
            Task.created_at,
            Task.due_on,
            Task.case.id,
            Task.case.tracking_code,
            Task.case.item_code,
            Task.case.state,
            Task.case.light,
            Task.case.filed_unit.name,
            Task.case.filed_unit.name_en,
        )
        .where((Task.state == "open") & clause)
        .order_by(Task.created_at)
        .limit(limit)
    )


async def timeline(case_id: int) -> list[dict]:
    return await (
        CaseEvent.select(
            CaseEvent.seq,
            CaseEvent.kind,
            CaseEvent.from_state,
            CaseEvent.to_state,
            CaseEvent.actor_name,
            CaseEvent.at,
            CaseEvent.reason,
            CaseEvent.unit.name,
            CaseEvent.unit.name_en,
        )
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.seq)
    )


async def tasks_of(case_id: int) -> list[dict]:
    return await (
        Task.select(
            Task.id,
            Task.step_id,
            Task.state,
            Task.outcome,
            Task.role,
            Task.due_on,
            Task.created_at,
            Task.completed_at,
            Task.unit.name,
            Task.unit.name_en,
        )
        .where(Task.case == case_id)
        .order_by(Task.id)
    )


async def unit_names(ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    rows = await Unit.select(Unit.id, Unit.name, Unit.name_en).where(Unit.id.is_in(ids))
    return {r["id"]: r for r in rows}
