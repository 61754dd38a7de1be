"""Units as admins see and change them: browse, search, create, rename, move, (de)activate.

Every function takes the acting principal and looks units up through the
scoping layer, so a unit outside the caller's subtree is reported exactly
like one that does not exist. Every change is one transaction with its
entry in the admin log.

Moving a subtree rewrites the materialised paths of its units and of every
column that plugins declare through ``tongban_scope_path_columns`` (the
cases' ``scope_path``) in the same transaction: the new parent's staff see
the moved units' open and closed cases at once, routing of later steps starts
from the new place, and case events — who did what, at which unit — stay as
they were.
"""

from __future__ import annotations

from core.db import is_postgres, transaction
from core.errors import PermissionDenied
from core.i18n import N_
from core.plugins import collect, get_plugin_manager
from core.spreadsheets import csv_text
from core.tenancy import audit, rules
from core.tenancy.errors import Refused, UnitNotFound
from core.tenancy.scope import (
    Principal,
    admin_paths,
    is_root,
    require_write,
    under,
    unit_visibility,
)
from core.tenancy.tables import Unit
from core.tenancy.units_import import COLUMNS

UNIT_COLUMNS = (
    Unit.id,
    Unit.code,
    Unit.name,
    Unit.name_en,
    Unit.kind,
    Unit.level,
    Unit.path,
    Unit.depth,
    Unit.active,
    Unit.parent,
)


async def get_unit(principal: Principal, unit_id: int, *, write: bool = False) -> dict:
    """The unit if the principal administers (``write``) or may inspect it; else UnitNotFound."""
    if write:
        require_write(principal)
    where = unit_visibility(principal, write=write)
    if where is None:
        raise UnitNotFound()
    row = await Unit.select(*UNIT_COLUMNS).where((Unit.id == unit_id) & where).first()
    if row is None:
        raise UnitNotFound()
    return row


async def get_unit_by_code(principal: Principal, code: str, *, write: bool = False) -> dict:
    where = unit_visibility(principal, write=write)
    if where is None:
        raise UnitNotFound()
    row = await Unit.select(*UNIT_COLUMNS).where((Unit.code == code.strip()) & where).first()
    if row is None:
        raise UnitNotFound()
    return row


async def top_units(principal: Principal) -> list[dict]:
    """The units at the top of each subtree the principal may see in the console."""
    paths = admin_paths(principal, write=False)
    codes = [p.strip("/").split("/")[-1] for p in paths]
    if not codes:
        return []
    return await _with_child_counts(
        await Unit.select(*UNIT_COLUMNS).where(Unit.code.is_in(codes)).order_by(Unit.path)
    )


async def children(principal: Principal, unit_id: int) -> list[dict]:
    unit = await get_unit(principal, unit_id)
    rows = await Unit.select(*UNIT_COLUMNS).where(Unit.parent == unit["id"]).order_by(Unit.code)
    return await _with_child_counts(rows)


async def _with_child_counts(rows: list[dict]) -> list[dict]:
    if not rows:
        return rows
    ids = [r["id"] for r in rows]
    placeholders = ", ".join("{}" for _ in ids)
    counts = {
        r["parent"]: r["count"]
        for r in await Unit.raw(
            "SELECT parent, COUNT(*) AS count FROM tenancy_unit "
            f"WHERE parent IN ({placeholders}) GROUP BY parent",
            *ids,
        )
    }
    for row in rows:
        row["children"] = counts.get(row["id"], 0)
    return rows


async def ancestors(unit: dict) -> list[dict]:
    """Breadcrumbs: the units above ``unit``, root first."""
    codes = [c for c in unit["path"].strip("/").split("/")][:-1]
    if not codes:
        return []
    rows = await Unit.select(Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.path).where(
        Unit.code.is_in(codes)
    )
    return sorted(rows, key=lambda r: len(r["path"]))


async def search(principal: Principal, text: str, *, limit: int = 50) -> list[dict]:
    """Units whose code or name contains ``text``, within the principal's subtrees."""
    where = unit_visibility(principal)
    needle = "".join(ch for ch in text.strip() if ch not in "%_\\")[:64]
    if where is None or not needle:
        return []
    pattern = f"%{needle}%"
    like = (lambda c: c.ilike(pattern)) if is_postgres() else (lambda c: c.like(pattern))
    rows = await (
        Unit.select(*UNIT_COLUMNS)
        .where(where & (like(Unit.code) | like(Unit.name) | like(Unit.name_en)))
        .order_by(Unit.path)
        .limit(limit)
    )
    return await _with_child_counts(rows)


async def subtree_count(path: str) -> int:
    return await Unit.count().where(under(Unit.path, path))


def parent_code_of(path: str) -> str:
    parts = path.strip("/").split("/")
    return parts[-2] if len(parts) > 1 else ""


# -- changes ---------------------------------------------------------------------


async def create_unit(
    principal: Principal,
    parent_id: int,
    *,
    code: str,
    name: str,
    name_en: str,
    kind: str,
    level: str,
) -> int:
    parent = await get_unit(principal, parent_id, write=True)
    code, name, name_en = code.strip(), name.strip(), name_en.strip()
    levels = await rules.load_levels()
    problems = (
        rules.code_problems(code)
        + rules.name_problems(name, name_en)
        + rules.placement_problems(kind, level, levels, parent_level=parent["level"])
    )
    if not parent["active"]:
        problems.append((N_("The parent unit is deactivated."), {}))
    path = f"{parent['path']}{code}/"
    if len(path) > rules.MAX_PATH:
        problems.append((N_("code: the tree is too deep here"), {}))
    if not problems and await _code_taken(code):
        problems.append((N_("code: %(code)s is already used by another unit"), {"code": code}))
    if problems:
        raise _refused(problems)
    async with transaction():
        row = (
            await Unit.insert(
                Unit(
                    code=code,
                    name=name,
                    name_en=name_en,
                    kind=kind,
                    level=level,
                    parent=parent["id"],
                    path=path,
                    depth=parent["depth"] + 1,
                )
            ).returning(Unit.id)
        )[0]
        await audit.record(
            principal,
            "unit.create",
            unit_id=row["id"],
            target=f"{name} ({code})",
            details={"kind": kind, "level": level, "parent": parent["code"]},
        )
    return row["id"]


async def rename_unit(principal: Principal, unit_id: int, name: str, name_en: str) -> None:
    unit = await get_unit(principal, unit_id, write=True)
    name, name_en = name.strip(), name_en.strip()
    problems = rules.name_problems(name, name_en)
    if problems:
        raise _refused(problems)
    if (name, name_en) == (unit["name"], unit["name_en"]):
        return
    async with transaction():
        await Unit.update({Unit.name: name, Unit.name_en: name_en}).where(Unit.id == unit["id"])
        await audit.record(
            principal,
            "unit.rename",
            unit_id=unit["id"],
            target=f"{name} ({unit['code']})",
            details={"old": [unit["name"], unit["name_en"]], "new": [name, name_en]},
        )


async def change_level(principal: Principal, unit_id: int, level: str) -> None:
    """Put a unit on another tier (say, the new sub-district tier), keeping the order."""
    unit = await get_unit(principal, unit_id, write=True)
    if level == unit["level"]:
        return
    levels = await rules.load_levels()
    parent = await Unit.select(Unit.level).where(Unit.id == unit["parent"]).first()
    problems = rules.placement_problems(
        unit["kind"], level, levels, parent_level=parent["level"] if parent else None
    )
    child_levels = {
        r["level"] for r in await Unit.select(Unit.level).where(Unit.parent == unit["id"])
    }
    if level in levels and any(
        c in levels and levels[c].depth < levels[level].depth for c in child_levels
    ):
        problems.append(
            (N_("level: “%(level)s” would put the unit below its own sub-units"), {"level": level})
        )
    if problems:
        raise _refused(problems)
    async with transaction():
        await Unit.update({Unit.level: level}).where(Unit.id == unit["id"])
        await audit.record(
            principal,
            "unit.relevel",
            unit_id=unit["id"],
            target=f"{unit['name']} ({unit['code']})",
            details={"old": unit["level"], "new": level},
        )


async def move_unit(principal: Principal, unit_id: int, new_parent_code: str) -> int:
    """Move a unit and its subtree under another parent. Returns how many units moved."""
    unit = await get_unit(principal, unit_id, write=True)
    if unit["path"] in admin_paths(principal, write=True) or is_root(unit["path"]):
        raise Refused(N_("You cannot move the unit you administer from."))
    target = await get_unit_by_code(principal, new_parent_code, write=True)
    old = unit["path"]
    if target["path"].startswith(old):
        raise Refused(N_("A unit cannot be moved under itself or one of its sub-units."))
    if target["id"] == unit["parent"]:
        raise Refused(N_("The unit is already there."))
    if not target["active"]:
        raise Refused(N_("The new parent unit is deactivated."))
    levels = await rules.load_levels()
    problems = rules.placement_problems(
        unit["kind"], unit["level"], levels, parent_level=target["level"]
    )
    problems = [p for p in problems if p[0].startswith("level:")]
    if problems:
        raise _refused(problems)
    new = f"{target['path']}{unit['code']}/"
    subtree = await Unit.select(Unit.path).where(under(Unit.path, old))
    if max(len(r["path"]) for r in subtree) - len(old) + len(new) > rules.MAX_PATH:
        raise Refused(N_("code: the tree is too deep here"))
    shift = target["depth"] + 1 - unit["depth"]
    async with transaction():
        await rewrite_paths(Unit.path, old, new, depth_column=Unit.depth, shift=shift)
        await Unit.update({Unit.parent: target["id"]}).where(Unit.id == unit["id"])
        for column in scope_path_columns():
            await rewrite_paths(column, old, new)
        await audit.record(
            principal,
            "unit.move",
            unit_id=unit["id"],
            target=f"{unit['name']} ({unit['code']})",
            details={
                "from": parent_code_of(old),
                "to": target["code"],
                "units": len(subtree),
            },
        )
    return len(subtree)


async def rewrite_paths(column, old: str, new: str, *, depth_column=None, shift: int = 0) -> None:
    """Replace the prefix ``old`` by ``new`` in ``column``, in one statement."""
    table = column._meta.table._meta.tablename
    name = column._meta.db_column_name
    depth = ""
    params: list = [new, len(old) + 1]
    if depth_column is not None:
        depth = (
            f", {depth_column._meta.db_column_name} = {depth_column._meta.db_column_name} + {{}}"
        )
        params.append(shift)
    params.append(old + "%")
    await column._meta.table.raw(
        f"UPDATE {table} SET {name} = {{}} || substr({name}, {{}}){depth} WHERE {name} LIKE {{}}",
        *params,
    )


def scope_path_columns() -> list:
    """Columns of any module holding a unit path, as declared through the hook; no duplicates."""
    columns, seen = [], set()
    for _, column in collect(get_plugin_manager(), "tongban_scope_path_columns"):
        key = (column._meta.table._meta.tablename, column._meta.db_column_name)
        if key not in seen:
            seen.add(key)
            columns.append(column)
    return columns


async def set_active(principal: Principal, unit_id: int, active: bool) -> None:
    """Deactivate a unit with no active sub-units, or reactivate one whose parent is active."""
    unit = await get_unit(principal, unit_id, write=True)
    if unit["active"] == active:
        return
    if not active:
        if unit["path"] in admin_paths(principal, write=True) or is_root(unit["path"]):
            raise Refused(N_("You cannot deactivate the unit you administer from."))
        live = await Unit.count().where((Unit.parent == unit["id"]) & (Unit.active == True))  # noqa: E712
        if live:
            raise Refused(
                N_(
                    "“%(name)s” still has %(count)s active sub-units. "
                    "Move or deactivate them first."
                ),
                name=unit["name"],
                count=live,
            )
    else:
        parent = await Unit.select(Unit.active).where(Unit.id == unit["parent"]).first()
        if parent is not None and not parent["active"]:
            raise Refused(N_("Reactivate its parent unit first."))
    async with transaction():
        await Unit.update({Unit.active: active}).where(Unit.id == unit["id"])
        await audit.record(
            principal,
            "unit.activate" if active else "unit.deactivate",
            unit_id=unit["id"],
            target=f"{unit['name']} ({unit['code']})",
        )


async def export_csv(principal: Principal) -> str:
    """The principal's subtrees as CSV, parents first: the importer takes it back as is."""
    where = unit_visibility(principal)
    if where is None:
        raise PermissionDenied()
    rows = await Unit.select(
        Unit.code, Unit.name, Unit.name_en, Unit.kind, Unit.level, Unit.path, Unit.active
    ).where(where)
    return rows_to_csv(rows)


def rows_to_csv(rows: list[dict]) -> str:
    """Names are typed by admins: a cell a spreadsheet would run gets a ``'``, which the
    importer takes off again (core.spreadsheets)."""
    rows = sorted(rows, key=lambda r: (r["path"].count("/"), r["path"]))
    header = [*COLUMNS, "active"]
    body = (
        [
            r["code"],
            r["name"],
            r["name_en"],
            r["kind"],
            r["level"],
            parent_code_of(r["path"]),
            "1" if r["active"] else "0",
        ]
        for r in rows
    )
    return csv_text([header, *body])


async def _code_taken(code: str) -> bool:
    if is_postgres():
        return await Unit.exists().where(Unit.code.ilike(code))
    return await Unit.exists().where(Unit.code.like(code))


def _refused(problems: list[tuple[str, dict]]) -> Refused:
    """The first problem as the message; callers show one reason at a time."""
    message, params = problems[0]
    return Refused(message, **params)
