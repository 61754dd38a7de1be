"""The rules a unit must keep, shared by the importer, the console and the CLI.

- a code is 1–32 letters, digits or hyphens (no LIKE or GLOB wildcards, no
  slash), and unique regardless of case (SQLite's LIKE ignores ASCII case);
- its kind is allowed at its level: the kinds a city admin marked for the
  level, or, where none are marked, the levels the kind itself declares;
- its level is not above its parent's (a service centre may sit at its
  township's level; a village may not sit above its township).

Each check returns problems as ``(msgid, params)`` so that callers can report
all of them at once, in the user's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.catalog.registry import get_catalog
from core.i18n import N_
from core.tenancy.tables import LevelRow

CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,31}$")
MAX_PATH = 512

Problem = tuple[str, dict]


@dataclass(frozen=True)
class LevelInfo:
    key: str
    name: str
    name_en: str
    depth: int
    unit_kinds: tuple[str, ...]  # as marked by an admin; () = the kinds' own declarations


async def load_levels() -> dict[str, LevelInfo]:
    rows = await (
        LevelRow.select(
            LevelRow.key, LevelRow.name, LevelRow.name_en, LevelRow.depth, LevelRow.unit_kinds
        )
        .order_by(LevelRow.depth)
        .output(load_json=True)
    )
    return {
        r["key"]: LevelInfo(
            key=r["key"],
            name=r["name"],
            name_en=r["name_en"],
            depth=r["depth"],
            unit_kinds=tuple(r["unit_kinds"] or ()),
        )
        for r in rows
    }


def allowed_kinds(level: LevelInfo, marked: tuple[str, ...] | None = None) -> list[str]:
    """Unit kinds that may exist at ``level`` (``marked`` overrides the level's own marks)."""
    kinds = get_catalog().unit_kinds
    marks = level.unit_kinds if marked is None else marked
    if marks:
        return [k for k in marks if k in kinds]
    return [key for key, kind in kinds.items() if not kind.levels or level.key in kind.levels]


def code_problems(code: str) -> list[Problem]:
    if not CODE.match(code):
        return [
            (
                N_("code: “%(code)s” must be 1 to 32 letters, digits or hyphens"),
                {"code": code[:40]},
            )
        ]
    return []


def name_problems(name: str, name_en: str) -> list[Problem]:
    found: list[Problem] = []
    if not name.strip() or len(name) > 128:
        found.append((N_("name: required, at most 128 characters"), {}))
    if len(name_en) > 128:
        found.append((N_("name_en: at most 128 characters"), {}))
    return found


def placement_problems(
    kind: str,
    level: str,
    levels: dict[str, LevelInfo],
    *,
    parent_level: str | None,
) -> list[Problem]:
    """Is a unit of ``kind`` allowed at ``level`` under a parent at ``parent_level``?"""
    found: list[Problem] = []
    if kind not in get_catalog().unit_kinds:
        found.append((N_("kind: unknown unit kind “%(kind)s”"), {"kind": kind[:40]}))
    if level not in levels:
        found.append((N_("level: unknown level “%(level)s”"), {"level": level[:40]}))
        return found
    if kind in get_catalog().unit_kinds and kind not in allowed_kinds(levels[level]):
        found.append(
            (
                N_("kind: a unit of kind “%(kind)s” is not allowed at level “%(level)s”"),
                {"kind": kind, "level": level},
            )
        )
    if parent_level in levels and levels[parent_level].depth > levels[level].depth:
        found.append(
            (
                N_("level: “%(level)s” is above its parent's level “%(parent)s”"),
                {"level": level, "parent": parent_level},
            )
        )
    return found
