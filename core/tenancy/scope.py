"""Who may see and change what: every scoped query is built here, and only here.

A principal's reach comes from their memberships (unit + role):

- a department office (a unit kind marked ``department``) sees the cases
  routed to it — those with a task at that unit — and those filed there, not
  the whole district;
- any other unit sees the cases filed in the subtree of its administrative
  anchor (a township's service centre sees the township and its villages);
- a membership at the root sees everything;
- residents and documents are visible exactly when a case they belong to is;
- staff, units, tokens and the admin log are visible to admin and read-only
  roles within their anchors' subtrees, and changeable by admin roles only;
- a read-only role (the auditor) sees but changes nothing: ``write=True``
  leaves its memberships out, and the web layer refuses its state-changing
  requests before any route runs.

Subtrees are materialised-path prefixes (:func:`under`), one indexed query on
SQLite and PostgreSQL alike; the tree is never walked in Python.

Case, task and other tables of higher modules are passed in, so that this
module depends only on the tenancy tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from piccolo.columns import Column
from piccolo.columns.combination import And, Or, Where, WhereRaw
from piccolo.query import Select

from core.errors import PermissionDenied
from core.tenancy.tables import AdminEvent, ApiToken, Membership, Staff, Unit

ADMINISTRATIVE_KINDS = frozenset({"city", "district", "township", "village"})

Clause = Where | And | Or | WhereRaw


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
    unit_name_en: str = ""
    read_only: bool = False  # the role may look but not change anything
    admin: bool = False  # the role manages units and staff in the anchor's subtree


@dataclass(frozen=True)
class Principal:
    staff_id: int
    username: str
    display_name: str
    memberships: tuple[MembershipView, ...] = field(default_factory=tuple)
    must_change_password: bool = False
    via_token: bool = False  # a department system calling the API with a bearer token

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    def memberships_with(self, *roles: str) -> list[MembershipView]:
        return [m for m in self.memberships if m.role in roles]

    def unit_ids_with(self, *roles: str) -> list[int]:
        return [m.unit_id for m in self.memberships_with(*roles)]

    @property
    def writable_memberships(self) -> tuple[MembershipView, ...]:
        return tuple(m for m in self.memberships if not m.read_only)

    @property
    def read_only(self) -> bool:
        """True when no membership may change anything (an auditor, or nobody at all)."""
        return not self.writable_memberships

    @property
    def console_access(self) -> bool:
        """Admins manage; read-only roles inspect. Both see the admin console."""
        return any(m.admin or m.read_only for m in self.memberships)

    @property
    def is_site_admin(self) -> bool:
        """An admin role held at the root: configures levels and grants any role."""
        return any(m.admin and is_root(m.anchor_path) for m in self.writable_memberships)


def is_root(path: str) -> bool:
    return path.count("/") == 2


def ancestor_codes(path: str) -> list[str]:
    """``/a/b/c/`` → ``['a', 'b', 'c']`` (root first)."""
    return [part for part in path.split("/") if part]


def anchor_path(unit_path: str, unit_kind: str) -> str:
    """A service centre or window's anchor is its parent division."""
    if unit_kind in ADMINISTRATIVE_KINDS:
        return unit_path
    parts = ancestor_codes(unit_path)
    return "/" + "/".join(parts[:-1]) + "/" if len(parts) > 1 else unit_path


def under(column: Column, path: str) -> Where:
    """``column`` lies in the subtree at ``path``: the one indexed prefix predicate.

    Unit codes never contain LIKE wildcards; a path that does is refused
    rather than silently widened.
    """
    if not (path.startswith("/") and path.endswith("/")) or "%" in path or "_" in path:
        raise ValueError(f"not a unit path: {path!r}")
    return column.like(path + "%")


def _minimal(paths: list[str]) -> list[str]:
    """Drop paths inside another one: ``/a/`` covers ``/a/b/``."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def _any(clauses: list[Clause]) -> Clause | None:
    if not clauses:
        return None
    where = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


def unit_ids_under(paths: list[str]) -> Select:
    """A sub-select of the ids of every unit in these subtrees."""
    where = _any([under(Unit.path, p) for p in _minimal(paths)])
    return Unit.select(Unit.id).where(where)


# -- cases, residents, documents -------------------------------------------------


def _filing_places(memberships) -> tuple[list[str], list[int]]:
    """Where cases filed are the memberships': the subtrees of their administrative
    anchors, and the department units themselves (a department is not a subtree)."""
    anchors = _minimal([m.anchor_path for m in memberships if not m.department])
    return anchors, sorted({m.unit_id for m in memberships if m.department})


def case_visibility(
    principal: Principal,
    case_table,
    task_table,
    *,
    write: bool = False,
    newest_first: bool = False,
) -> Clause | None:
    """The where-clause limiting ``case_table`` to what ``principal`` may see.

    With ``write=True`` only memberships that may change things count.
    Returns ``None`` when the principal may see nothing at all.

    Two shapes of the same clause:

    - ``id IN (… UNION ALL …)``, the default: PostgreSQL plans the single
      ``IN`` as an indexed semi-join (an OR of sub-selects would scan the
      table), so all of a principal's cases cost what they are, not what the
      table is. But "the 50 newest" must first collect every visible id.
    - ``newest_first=True``, for a listing ordered by id descending with a
      LIMIT, on PostgreSQL, when an anchor lies at a township or above (a
      large share of the cases): a per-row test — the filing unit among the
      subtree's units (one small hashed set), a department's own filings, or
      an index probe for a task at one of the principal's units. The listing
      then walks the primary key backwards and stops after its LIMIT of hits,
      whatever the table's size: 0.4 ms instead of 1.9 s for a township's 50
      newest at 1M cases (``bench/scale.py``). ``OFFSET 0`` keeps the planner
      from turning the probe into a hash of every task at the unit, which
      would again grow with the table. Without ORDER BY … LIMIT this shape
      reads the whole table: keep the default for counts and full lists.
    """
    memberships = principal.writable_memberships if write else principal.memberships
    anchors, departments = _filing_places(memberships)
    if any(is_root(p) for p in anchors):
        return case_table.id.is_not_null()
    parts: list[Select] = []
    if anchors:
        parts.append(
            case_table.select(case_table.id).where(
                case_table.filed_unit.is_in(unit_ids_under(anchors))
            )
        )
    if departments:
        parts.append(
            case_table.select(case_table.id).where(case_table.filed_unit.is_in(departments))
        )
    units = sorted({m.unit_id for m in memberships})
    column = f'"{case_table._meta.tablename}"."id"'
    if newest_first and units and _wide(anchors) and _postgres(case_table):
        tests = [case_table.filed_unit.is_in(unit_ids_under(anchors)).querystring]
        if departments:
            tests.append(case_table.filed_unit.is_in(departments).querystring)
        task = task_table._meta.tablename
        probe = (
            f'EXISTS (SELECT 1 FROM "{task}" WHERE "{task}"."case" = {column} '
            f'AND "{task}"."unit" IN ({", ".join(str(int(u)) for u in units)}) OFFSET 0)'
        )
        return WhereRaw("(" + " OR ".join("{}" for _ in tests) + f" OR {probe})", *tests)
    if units:
        # Cases routed to a unit (a department's review, a district window
        # accepting a township's case) are visible to that unit.
        parts.append(task_table.select(task_table.case).where(task_table.unit.is_in(units)))
    if not parts:
        return None
    union = " UNION ALL ".join("{}" for _ in parts)
    return WhereRaw(f"{column} IN ({union})", *(part.querystrings[0] for part in parts))


def own_filings(principal: Principal, case_table) -> Clause | None:
    """Cases the principal filed at a unit they still belong to: the workbench's lists.

    A filing is made at one of the filer's own units, so while the membership
    lasts the case lies in its subtree (or is a department's own); a filer who
    moved on no longer sees what they filed there. This needs no union of every
    visible case, whose cost grows with the village's history: the filer's
    (and, on a resident's page, the resident's) index finds the rows.
    """
    mine = case_table.filed_by == principal.staff_id
    anchors, departments = _filing_places(principal.memberships)
    if any(is_root(p) for p in anchors):
        return mine
    places: list[Clause] = []
    if anchors:
        places.append(case_table.filed_unit.is_in(unit_ids_under(anchors)))
    if departments:
        places.append(case_table.filed_unit.is_in(departments))
    where = _any(places)
    return None if where is None else mine & where


def _wide(anchors: list[str]) -> bool:
    """An anchor at a township or above ("/city/district/township/"): its subtree
    holds a large share of the cases."""
    return any(p.count("/") <= 4 for p in anchors)


def _postgres(table) -> bool:
    return getattr(table._meta.db, "engine_type", "") in ("postgres", "cockroach")


def resident_visibility(
    principal: Principal, resident_table, case_table, task_table, *, write: bool = False
) -> Clause | None:
    """Residents who applied in a case the principal may see."""
    cases = case_visibility(principal, case_table, task_table, write=write)
    if cases is None:
        return None
    return resident_table.id.is_in(case_table.select(case_table.resident).where(cases))


def document_visibility(
    principal: Principal, case_column: Column, case_table, task_table, *, write: bool = False
) -> Clause | None:
    """Rows that belong to a case (documents, materials, …) through ``case_column``."""
    cases = case_visibility(principal, case_table, task_table, write=write)
    if cases is None:
        return None
    return case_column.is_in(case_table.select(case_table.id).where(cases))


# -- the admin side: units, staff, tokens, the admin log --------------------------


def admin_paths(principal: Principal, *, write: bool) -> list[str]:
    """Subtrees the principal administers (``write``) or may inspect as admin or auditor."""
    if write:
        paths = [m.anchor_path for m in principal.writable_memberships if m.admin]
    else:
        paths = [m.anchor_path for m in principal.memberships if m.admin or m.read_only]
    return _minimal(paths)


def in_admin_scope(principal: Principal, unit_path: str, *, write: bool) -> bool:
    return any(unit_path.startswith(p) for p in admin_paths(principal, write=write))


def unit_visibility(principal: Principal, *, write: bool = False) -> Clause | None:
    paths = admin_paths(principal, write=write)
    return _any([under(Unit.path, p) for p in paths])


def staff_visibility(principal: Principal, *, write: bool = False) -> Clause | None:
    """Staff holding a membership in a subtree the principal administers or inspects.

    Service accounts (API tokens) are listed with their tokens, not as staff.
    """
    paths = admin_paths(principal, write=write)
    if not paths:
        return None
    people = Staff.service == False  # noqa: E712 - Piccolo needs ==
    if any(is_root(p) for p in paths):
        return people
    members = Membership.select(Membership.staff).where(
        Membership.unit.is_in(unit_ids_under(paths))
    )
    return people & Staff.id.is_in(members)


def membership_visibility(principal: Principal, *, write: bool = False) -> Clause | None:
    paths = admin_paths(principal, write=write)
    if not paths:
        return None
    return Membership.unit.is_in(unit_ids_under(paths))


def token_visibility(principal: Principal, *, write: bool = False) -> Clause | None:
    paths = admin_paths(principal, write=write)
    if not paths:
        return None
    return ApiToken.unit.is_in(unit_ids_under(paths))


def admin_event_visibility(principal: Principal) -> Clause | None:
    paths = admin_paths(principal, write=False)
    if not paths:
        return None
    if any(is_root(p) for p in paths):
        return AdminEvent.id.is_not_null()
    return AdminEvent.unit.is_in(unit_ids_under(paths))


def require_write(principal: Principal) -> None:
    """Refuse any change by a principal whose roles are all read-only."""
    if principal.read_only:
        raise PermissionDenied()
