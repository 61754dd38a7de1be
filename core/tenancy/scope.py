"""Who may see what: every case query is scoped here, and only here.

A principal's visibility comes from their memberships (unit + role):

- a department office (a unit kind marked ``department``) sees the cases
  routed to it — those with a task at that unit — not the whole district;
- any other unit sees the cases filed in the subtree of its administrative
  anchor (a township's service centre sees the township and its villages);
- a city admin at the city root sees everything; an auditor sees but changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from piccolo.columns.combination import Or, Where

ADMINISTRATIVE_KINDS = frozenset({"city", "district", "township", "village"})


@dataclass(frozen=True)
class MembershipView:
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    unit_path: str
    anchor_path: str  # path of the nearest administrative unit (itself or its parent)
    level: str
    role: str
    department: bool


@dataclass(frozen=True)
class Principal:
    staff_id: int
    username: str
    display_name: str
    memberships: tuple[MembershipView, ...] = field(default_factory=tuple)
    read_only_roles: frozenset[str] = frozenset({"auditor"})

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    def memberships_with(self, *roles: str) -> list[MembershipView]:
        return [m for m in self.memberships if m.role in roles]

    def unit_ids_with(self, *roles: str) -> list[int]:
        return [m.unit_id for m in self.memberships_with(*roles)]


def case_visibility(principal: Principal, case_table, task_table) -> Where | Or | None:
    """The where-clause limiting ``case_table`` to what ``principal`` may see.

    Returns ``None`` when the principal may see nothing at all.
    """
    clauses = []
    routed_units = [m.unit_id for m in principal.memberships if m.department]
    for m in principal.memberships:
        if not m.department:
            clauses.append(case_table.scope_path.like(m.anchor_path + "%"))
    if routed_units:
        clauses.append(
            case_table.id.is_in(
                task_table.select(task_table.case).where(task_table.unit.is_in(routed_units))
            )
        )
    # Tasks routed to a non-department unit outside its anchor (a district window
    # accepting a township's case) are visible to that unit too.
    office_units = [m.unit_id for m in principal.memberships if not m.department]
    if office_units:
        clauses.append(
            case_table.id.is_in(
                task_table.select(task_table.case).where(task_table.unit.is_in(office_units))
            )
        )
    if not clauses:
        return None
    where = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


def anchor_path(unit_path: str, unit_kind: str) -> str:
    """A service centre or window's anchor is its parent division."""
    if unit_kind in ADMINISTRATIVE_KINDS:
        return unit_path
    parts = [p for p in unit_path.split("/") if p]
    return "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else unit_path
