"""Levels (tiers of the tree), configured per site by a city admin.

A city admin may rename a level, add one (a sub-district tier, a village
group tier) after any existing level, mark which unit kinds may exist at a
level, and remove a level no unit uses. A change that would leave a unit at
a level that no longer exists, or of a kind its level no longer allows, is
refused with the reason. Levels keep their order, so adding a tier never puts
a unit above its parent.
"""

from __future__ import annotations

import re

from core.catalog.registry import get_catalog
from core.db import transaction
from core.errors import PermissionDenied
from core.i18n import N_, Listing, Localized
from core.tenancy import audit, rules
from core.tenancy.errors import LevelNotFound, Refused
from core.tenancy.scope import Principal, require_write
from core.tenancy.tables import LevelRow, Unit

KEY = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
EXAMPLES = 3


def _require_site_admin(principal: Principal) -> None:
    require_write(principal)
    if not principal.is_site_admin:
        raise PermissionDenied()


async def list_levels() -> list[dict]:
    """Levels in order, each with its allowed kinds and how many units it holds."""
    levels = await rules.load_levels()
    counts = {
        r["level"]: r["count"]
        for r in await Unit.raw("SELECT level, COUNT(*) AS count FROM tenancy_unit GROUP BY level")
    }
    return [
        {
            "key": level.key,
            "name": level.name,
            "name_en": level.name_en,
            "depth": level.depth,
            "marked": list(level.unit_kinds),
            "allowed": rules.allowed_kinds(level),
            "units": counts.get(level.key, 0),
        }
        for level in levels.values()
    ]


def _check_names(name: str, name_en: str) -> tuple[str, str]:
    name, name_en = name.strip(), name_en.strip()
    if not name or len(name) > 64 or len(name_en) > 64:
        raise Refused(N_("A level needs a name of at most 64 characters."))
    return name, name_en


async def rename_level(principal: Principal, key: str, name: str, name_en: str) -> None:
    _require_site_admin(principal)
    name, name_en = _check_names(name, name_en)
    level = await _get(key)
    async with transaction():
        await LevelRow.update({LevelRow.name: name, LevelRow.name_en: name_en}).where(
            LevelRow.key == key
        )
        await audit.record(
            principal,
            "level.rename",
            unit_id=await _root_id(),
            target=key,
            details={"old": [level["name"], level["name_en"]], "new": [name, name_en]},
        )


async def add_level(
    principal: Principal,
    key: str,
    name: str,
    name_en: str,
    *,
    after: str,
    unit_kinds: list[str],
) -> None:
    """Insert a tier right below ``after``; deeper levels move one step down."""
    _require_site_admin(principal)
    key = key.strip()
    if not KEY.match(key):
        raise Refused(
            N_(
                "A level key is 2 to 32 lower-case letters, digits or underscores, starting with a letter."
            )
        )
    name, name_en = _check_names(name, name_en)
    _check_kinds(unit_kinds)
    if await LevelRow.exists().where(LevelRow.key == key):
        raise Refused(N_("There is already a level with the key “%(key)s”."), key=key)
    above = await _get(after)
    depth = above["depth"] + 1
    async with transaction():
        await LevelRow.update({LevelRow.depth: LevelRow.depth + 1}).where(LevelRow.depth >= depth)
        await LevelRow.insert(
            LevelRow(key=key, name=name, name_en=name_en, depth=depth, unit_kinds=unit_kinds)
        )
        await audit.record(
            principal,
            "level.add",
            unit_id=await _root_id(),
            target=key,
            details={"name": [name, name_en], "after": after, "unit_kinds": unit_kinds},
        )


async def set_unit_kinds(principal: Principal, key: str, unit_kinds: list[str]) -> None:
    """Mark the kinds allowed at a level ([] = the kinds' own declarations).

    Refused while a unit of a kind that would no longer be allowed sits at the level.
    """
    _require_site_admin(principal)
    _check_kinds(unit_kinds)
    level = await _get(key)
    levels = await rules.load_levels()
    allowed = set(rules.allowed_kinds(levels[key], tuple(unit_kinds)))
    stranded = await Unit.select(Unit.name, Unit.name_en, Unit.kind).where(
        (Unit.level == key) & Unit.kind.not_in(sorted(allowed) or [""])
    )
    if stranded:
        kinds = sorted({r["kind"] for r in stranded})
        declared = get_catalog().unit_kinds
        raise Refused(
            N_(
                "Level “%(level)s” must keep allowing %(kinds)s: units of these kinds are at "
                "this level (%(count)s, for example %(examples)s). Move them or change their "
                "level first."
            ),
            level=_name(level),
            kinds=Listing(_name(declared.get(k), k) for k in kinds),
            count=len(stranded),
            examples=_examples(stranded),
        )
    async with transaction():
        await LevelRow.update({LevelRow.unit_kinds: unit_kinds}).where(LevelRow.key == key)
        await audit.record(
            principal,
            "level.kinds",
            unit_id=await _root_id(),
            target=key,
            details={"old": level["unit_kinds"], "new": unit_kinds},
        )


async def remove_level(principal: Principal, key: str) -> None:
    """Remove a level no unit uses (active or not); deeper levels move one step up."""
    _require_site_admin(principal)
    level = await _get(key)
    using = await Unit.select(Unit.name, Unit.name_en).where(Unit.level == key)
    if using:
        raise Refused(
            N_(
                "Level “%(level)s” cannot be removed: units are at this level "
                "(%(count)s, for example %(examples)s). Change their level first."
            ),
            level=_name(level),
            count=len(using),
            examples=_examples(using),
        )
    if get_catalog().items and _used_by_items(key):
        raise Refused(
            N_("Level “%(level)s” cannot be removed: service items are delegated to it."),
            level=_name(level),
        )
    async with transaction():
        await LevelRow.delete().where(LevelRow.key == key)
        await LevelRow.update({LevelRow.depth: LevelRow.depth - 1}).where(
            LevelRow.depth > level["depth"]
        )
        await audit.record(
            principal, "level.remove", unit_id=await _root_id(), target=key, details={}
        )


def _name(row: object, fallback: str = "") -> Localized:
    """A level's, unit's or unit kind's name in both languages (a row or a declaration)."""
    if row is None:
        return Localized(fallback)
    get = row.get if isinstance(row, dict) else lambda key: getattr(row, key, "")
    return Localized(get("name") or fallback, get("name_en") or "")


def _examples(units: list[dict]) -> Listing:
    return Listing(_name(unit) for unit in units[:EXAMPLES])


def _used_by_items(key: str) -> bool:
    return any(key in getattr(item, "accept_levels", ()) for item in get_catalog().items.values())


def _check_kinds(unit_kinds: list[str]) -> None:
    unknown = [k for k in unit_kinds if k not in get_catalog().unit_kinds]
    if unknown:
        raise Refused(N_("Unknown unit kind: %(kinds)s"), kinds=Listing(unknown))


async def _get(key: str) -> dict:
    row = await LevelRow.select().where(LevelRow.key == key).first().output(load_json=True)
    if row is None:
        raise LevelNotFound()
    return row


async def _root_id() -> int | None:
    root = await Unit.select(Unit.id).where(Unit.parent.is_null()).order_by(Unit.id).first()
    return root["id"] if root else None
