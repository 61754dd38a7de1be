"""Who may do what to a case: visibility, task holding, supervision, filing.

Visibility itself comes from :mod:`core.tenancy.scope` (the one place that
scopes queries); this module answers the case-specific questions on top:
may this person act on this task, supervise this unit, speak for the
applicant of this case?
"""

from __future__ import annotations

from core.cases.tables import Case, Task
from core.errors import CaseNotFound
from core.tenancy.scope import Principal, anchor_path, case_visibility, require_write
from core.tenancy.tables import Membership, Staff, Unit

FILING_ROLES = ("village_agent", "window_clerk")
SUPERVISOR_ROLE = "unit_supervisor"


async def visible_case(principal: Principal, case_id: int, *, write: bool = False) -> dict:
    """The case if the principal may see it; otherwise CaseNotFound, exactly as if absent.

    ``write=True`` counts only memberships that may change things, and
    refuses a read-only principal outright.
    """
    if write:
        require_write(principal)
    where = case_visibility(principal, Case, Task, write=write)
    if where is None:
        raise CaseNotFound()
    row = await Case.select().where((Case.id == case_id) & where).first()
    if row is None:
        raise CaseNotFound()
    return row


def holds(principal: Principal, task: dict) -> bool:
    """May the principal act on this open task?

    Its assignee may (a claim, a delegation, a countersign signature); so may
    the officer who delegated it and stays responsible; an unassigned task
    belongs to everyone holding its role at its unit.
    """
    if task["state"] != "open":
        return False
    me = principal.staff_id
    if task["assignee"] is not None:
        return task["assignee"] == me or task.get("responsible") == me
    return any(
        m.unit_id == task["unit"] and m.role == task["role"] for m in principal.writable_memberships
    )


async def open_tasks_for(principal: Principal, case_id: int) -> list[dict]:
    """Open tasks of this case that the principal may act on."""
    rows = await Task.select().where((Task.case == case_id) & (Task.state == "open"))
    return [t for t in rows if holds(principal, t)]


def supervises(principal: Principal, unit_path: str) -> bool:
    """A unit supervisor at or above the unit (by administrative anchor)."""
    return any(
        unit_path.startswith(m.anchor_path)
        for m in principal.writable_memberships
        if m.role == SUPERVISOR_ROLE
    )


def speaks_for_applicant(principal: Principal, case: dict) -> bool:
    """The agent or window that filed the case, or the window that accepts it.

    They hand in supplements, withdraw on the applicant's request, and hand
    back the result.
    """
    units = {case["filed_unit"], case["accepting_unit"]}
    return any(
        m.unit_id in units and m.role in FILING_ROLES for m in principal.writable_memberships
    )


async def nearest_supervisor_unit(unit_path: str) -> int | None:
    """The supervising unit closest above ``unit_path``; None if nobody supervises it."""
    rows = await Membership.select(
        Membership.unit.id, Membership.unit.path, Membership.unit.kind
    ).where((Membership.role == SUPERVISOR_ROLE) & (Membership.unit.active == True))  # noqa: E712
    best: tuple[int, int] | None = None
    for row in rows:
        anchor = anchor_path(row["unit.path"], row["unit.kind"])
        if unit_path.startswith(anchor) and (best is None or len(anchor) > best[0]):
            best = (len(anchor), row["unit.id"])
    return best[1] if best else None


async def supervisors_at(unit_id: int) -> list[dict]:
    """Staff holding the supervisor role at a unit (to notify them)."""
    return await Membership.select(Membership.staff.id, Membership.staff.display_name).where(
        (Membership.unit == unit_id)
        & (Membership.role == SUPERVISOR_ROLE)
        & (Membership.staff.active == True)  # noqa: E712
    )


async def members_of(unit_id: int, role: str | None = None) -> list[dict]:
    """Active staff with a membership at the unit (with ``role`` when given)."""
    where = (Membership.unit == unit_id) & (Membership.staff.active == True)  # noqa: E712
    if role:
        where = where & (Membership.role == role)
    rows = await Membership.select(
        Membership.staff.id, Membership.staff.display_name, Membership.role
    ).where(where)
    seen: dict[int, dict] = {}
    for row in rows:
        seen.setdefault(row["staff.id"], {"id": row["staff.id"], "name": row["staff.display_name"]})
    return list(seen.values())


async def unit_row(unit_id: int) -> dict | None:
    return (
        await Unit.select(
            Unit.id,
            Unit.code,
            Unit.name,
            Unit.name_en,
            Unit.path,
            Unit.kind,
            Unit.level,
            Unit.active,
        )
        .where(Unit.id == unit_id)
        .first()
    )


async def staff_name(staff_id: int) -> str:
    row = await Staff.select(Staff.display_name).where(Staff.id == staff_id).first()
    return row["display_name"] if row else ""
