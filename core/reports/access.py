"""Who may look at which unit's figures, and who may act on supervision.

Built on :mod:`core.tenancy.scope` — the anchors of a person's memberships
and the subtree predicate — so a supervisor of a township sees that
township and its villages and nothing beside it:

- **looking** (dashboards, red list, monthly reports): unit supervisors and
  admin roles over their anchor's subtree, and read-only roles (the auditor)
  over theirs;
- **acting** (urging a red case, deciding an appeal): the same, without the
  read-only roles;
- **confirming a township's monthly report**: a supervisor or admin whose
  anchor is that township; for a closed township, one whose anchor is above it.
"""

from __future__ import annotations

from core.errors import NotFound, PermissionDenied
from core.i18n import N_
from core.tenancy.scope import MembershipView, Principal, is_root, under
from core.tenancy.tables import Unit

SUPERVISOR_ROLE = "unit_supervisor"
UNIT_COLUMNS = (
    Unit.id,
    Unit.code,
    Unit.name,
    Unit.name_en,
    Unit.kind,
    Unit.level,
    Unit.path,
    Unit.parent,
    Unit.active,
)


class UnitNotFound(NotFound):
    # Said alike for a unit that does not exist and one outside the person's reach.
    message = N_("No such unit.")


def _supervising(m: MembershipView, *, write: bool) -> bool:
    if write and m.read_only:
        return False
    return m.admin or m.read_only or m.role == SUPERVISOR_ROLE


def roots(principal: Principal, *, write: bool = False) -> list[str]:
    """The subtrees (unit paths) whose figures the person may see (or act on)."""
    paths = sorted(
        {m.anchor_path for m in principal.memberships if _supervising(m, write=write)}, key=len
    )
    kept: list[str] = []
    for path in paths:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def may_supervise(principal: Principal) -> bool:
    return bool(roots(principal))


def covers(principal: Principal, unit_path: str, *, write: bool = False) -> bool:
    return any(unit_path.startswith(root) for root in roots(principal, write=write))


def require_supervision(principal: Principal) -> None:
    if not may_supervise(principal):
        raise PermissionDenied()


async def unit_by_code(principal: Principal, code: str | None) -> dict:
    """The unit to report on: ``code``, or the person's highest one; UnitNotFound if out of reach."""
    reach = roots(principal)
    if not reach:
        raise PermissionDenied()
    if not code:
        row = await Unit.select(*UNIT_COLUMNS).where(Unit.path == reach[0]).first()
    else:
        row = await Unit.select(*UNIT_COLUMNS).where(Unit.code == code[:32]).first()
    if row is None or not any(row["path"].startswith(root) for root in reach):
        raise UnitNotFound()
    return row


async def units_at(paths: list[str]) -> dict[str, dict]:
    """Units by path (for naming breakdown rows and breadcrumbs)."""
    if not paths:
        return {}
    rows = await Unit.select(*UNIT_COLUMNS).where(Unit.path.is_in(sorted(set(paths))))
    return {row["path"]: row for row in rows}


async def children_of(unit: dict) -> list[dict]:
    return await Unit.select(*UNIT_COLUMNS).where(Unit.parent == unit["id"]).order_by(Unit.code)


async def townships_under(path: str) -> list[dict]:
    """Every township (by level) in the subtree at ``path`` — one indexed prefix query."""
    return await (
        Unit.select(*UNIT_COLUMNS)
        .where(under(Unit.path, path) & (Unit.level == "township") & (Unit.kind == "township"))
        .order_by(Unit.code)
    )


def may_confirm(principal: Principal, township: dict) -> bool:
    """A supervisor or admin of the township itself submits its monthly report.

    A closed (deactivated) township has nobody left to do it — its staff lost
    their places with it — so its last reports are confirmed from above, by a
    supervisor or admin of a unit over it (the district), on its behalf.
    """

    def confirms(anchor: str) -> bool:
        if township.get("active", True):
            return anchor == township["path"]
        return township["path"].startswith(anchor) and anchor != township["path"]

    return any(
        confirms(m.anchor_path) and (m.admin or m.role == SUPERVISOR_ROLE)
        for m in principal.writable_memberships
    )


def is_top(path: str) -> bool:
    return is_root(path)
