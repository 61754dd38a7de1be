"""Read-side queries for case pages: lists, queues, timelines. Always scoped."""

from __future__ import annotations

from core.cases.tables import Case, CaseEvent, Escalation, Task
from core.tenancy.scope import Principal, case_visibility
from core.tenancy.tables import Unit

PAGE = 50  # cases a page of a paged list shows


def parse_before(text: str) -> int:
    """The keyset cursor of a list's "older" link: a case id, or 0 for the newest page."""
    return int(text) if text.isdigit() and len(text) < 19 else 0


async def newest_page(where, columns, *, before: int = 0, limit: int = PAGE):
    """One keyset page of the cases ``where`` selects, newest first: the ``limit``
    newest older than ``before`` (a case id; 0: from the newest), and whether older
    ones follow (one more row is read to tell). Paging by id, never by OFFSET, costs
    the same on the last page as on the first. Shared by every paged list of cases
    (the area list, the workbench's)."""
    if before:
        where = where & (Case.id < before)
    rows = await (
        Case.select(*columns).where(where).order_by(Case.id, ascending=False).limit(limit + 1)
    )
    return rows[:limit], len(rows) > limit


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

QUEUE_COLUMNS = (
    Task.id,
    Task.step_id,
    Task.role,
    Task.created_at,
    Task.due_on,
    Task.light,
    Task.assignee,
    Task.assignee.display_name,
    Task.responsible,
    Task.signer,
    Task.case.id,
    Task.case.tracking_code,
    Task.case.item_code,
    Task.case.state,
    Task.case.light,
    Task.case.due_on,
    Task.case.filed_unit.name,
    Task.case.filed_unit.name_en,
)

# Most urgent first: red, yellow, green, then tasks without a light of their own.
LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "": 3}


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
    """Open tasks waiting for the principal: at their units for roles they hold, or
    assigned to them (claimed, delegated, a countersignature) — by light, then due date.

    A task's light is its step's own, else its case's. Two bounded reads, merged: the
    tasks under a yellow or red light (few, and never to be missed however long the
    queue), and the oldest others (first come, first served).
    """
    clause = Task.assignee == principal.staff_id
    for m in principal.writable_memberships:
        clause = clause | ((Task.unit == m.unit_id) & (Task.role == m.role))
    waiting = (Task.state == "open") & clause
    warned = ["red", "yellow"]
    # Each read is index-led: the lights' indexes find the few warned tasks and cases.
    own_light = waiting & Task.light.is_in(warned)
    case_light = waiting & Task.case.is_in(Case.select(Case.id).where(Case.light.is_in(warned)))
    found: dict[int, dict] = {}
    for where in (own_light, case_light, waiting):
        for row in await Task.select(*QUEUE_COLUMNS).where(where).order_by(Task.id).limit(limit):
            found.setdefault(row["id"], row)
    rows = list(found.values())
    for row in rows:
        row["effective_light"] = row["light"] or row["case.light"] or ""
        row["effective_due"] = row["due_on"] or row["case.due_on"]
    rows.sort(
        key=lambda r: (
            LIGHT_ORDER.get(r["effective_light"], 3),
            r["effective_due"] is None,
            r["effective_due"] or r["created_at"].date(),
            r["id"],
        )
    )
    return rows[:limit]


async def escalations_for(principal: Principal, limit: int = 100) -> list[dict]:
    """Open escalations sent up to units where the principal is a supervisor."""
    units = principal.unit_ids_with("unit_supervisor")
    if not units:
        return []
    return await (
        Escalation.select(
            Escalation.id,
            Escalation.cause,
            Escalation.created_at,
            Escalation.unit.name,
            Escalation.unit.name_en,
            Escalation.task.step_id,
            Escalation.task.due_on,
            Escalation.case.id,
            Escalation.case.tracking_code,
            Escalation.case.item_code,
            Escalation.case.state,
            Escalation.case.due_on,
        )
        .where(
            Escalation.supervisor_unit.is_in(units)
            & Escalation.resolved_at.is_null()
            & (Escalation.task.state == "open")
        )
        .order_by(Escalation.id, ascending=False)
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
            CaseEvent.payload,
            CaseEvent.unit.name,
            CaseEvent.unit.name_en,
        )
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.seq)
        .output(load_json=True)
    )


async def tasks_of(case_id: int) -> list[dict]:
    return await (
        Task.select(
            Task.id,
            Task.step_id,
            Task.parent_step,
            Task.state,
            Task.outcome,
            Task.role,
            Task.due_on,
            Task.light,
            Task.silent,
            Task.signer,
            Task.created_at,
            Task.completed_at,
            Task.unit,
            Task.unit.name,
            Task.unit.name_en,
            Task.assignee,
            Task.assignee.display_name,
            Task.responsible.display_name,
        )
        .where(Task.case == case_id)
        .order_by(Task.id)
    )


async def place_names(values: object, limit: int = 200) -> dict[str, dict]:
    """Names of the places that the address fields in a case's form ``values`` name,
    by unit code (``{"code", "name", "name_en"}``), for ``cases/partials/values.html``.

    An address value is ``{"unit": code, "detail": text}``, at any depth (groups
    repeat); at most ``limit`` codes are looked up."""
    codes: set[str] = set()
    stack = [values]
    while stack and len(codes) < limit:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("unit"), str) and set(node) <= {"unit", "detail"}:
                codes.add(node["unit"])
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if not codes:
        return {}
    rows = await Unit.select(Unit.code, Unit.name, Unit.name_en).where(Unit.code.is_in(list(codes)))
    return {r["code"]: r for r in rows}


async def unit_names(ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    rows = await Unit.select(Unit.id, Unit.name, Unit.name_en).where(Unit.id.is_in(ids))
    return {r["id"]: r for r in rows}
