"""Can each item's steps be routed in this site's tree? Told before a clerk finds out.

A plugin may route a step to a kind of unit the site has not added yet (a new
``civil_affairs_office`` at district level). Start-up does not stop for it —
a city may import the units after installing the plugin — but the gap is
reported where someone can act on it: ``tongban plugins check`` (a warning),
the city admin's catalogue pages, a warning in the log at start-up; and a
case that would get stuck is refused at filing (:func:`check_routable`),
before anything is written, instead of stopping between two steps.

The rule is the router's (:mod:`core.cases.routing`, which walks it for a case; this
module only asks whether the walk would end somewhere): a step goes to an active
unit of its ``unit_kind`` at its ``level`` below the filing unit's ancestor at
that level, unless a plugin's ``tongban_route_step`` names one. So the places
that matter are the *areas* of a level — its topmost units (the districts, not
the district's offices) — and an area is served when such a unit lies inside it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from core.catalog.items import Item
from core.catalog.workflow import Step
from core.errors import ItemNotAvailable
from core.i18n import N_, Localized, gettext, name_in
from core.plugins import get_plugin_manager

log = logging.getLogger("tongban.catalog")

# A filing found routable is not asked again for this long (per process, per item
# declaration and filing unit): the check costs a few queries, and the tree changes rarely.
# A refusal is never remembered, so a unit added by the city is usable at once; a unit
# deactivated meanwhile is met by the router itself (RoutingFailed), as before.
ROUTABLE_FOR = 60.0
_routable: dict[tuple[str, int, str], float] = {}  # (item code, id(item), unit code): when

NOT_ROUTABLE_HERE = N_(
    "“%(item)s” cannot be filed at %(unit)s yet: its step “%(step)s” goes to a %(kind)s "
    "at %(level)s level, and there is none for this place. The city administrator needs "
    "to add one to the unit tree; nothing has been filed."
)
NOWHERE = N_(
    "step “%(step)s” goes to a %(kind)s at %(level)s level, and the site's tree has none: "
    "filing the item is refused everywhere until such a unit is added."
)
NO_LEVEL = N_(
    "step “%(step)s” goes to a %(kind)s at %(level)s level, and the site's tree has no "
    "%(level)s level: filing the item is refused everywhere."
)
SOMEWHERE = N_(
    "step “%(step)s” goes to a %(kind)s at %(level)s level; %(count)s of %(total)s "
    "%(level)s areas have none (%(places)s): filing the item there is refused until one "
    "is added."
)
MAX_PLACES = 5  # areas named in a message; the rest are counted


class NotRoutableHere(ItemNotAvailable):
    message = NOT_ROUTABLE_HERE


@dataclass(frozen=True)
class Gap:
    """A step no unit of the tree would handle for the cases of ``missing`` areas."""

    step: Step
    missing: tuple[dict, ...]  # areas at the step's level (code, name, name_en)
    total: int  # areas at the step's level in the tree

    @property
    def everywhere(self) -> bool:
        return len(self.missing) == self.total


@dataclass
class Tree:
    """The active units and the level names: one read, for every item's check."""

    units: list[dict]
    levels: dict[str, dict]

    def __post_init__(self) -> None:
        self._level_of = {u["code"]: u["level"] for u in self.units}
        self._areas: dict[str, list[dict]] = {}
        self._served: dict[tuple[str, str], set[str]] = {}

    def _area_code(self, path: str, level: str) -> str | None:
        """The topmost ancestor (or self) of ``path`` at ``level``."""
        for code in (p for p in path.split("/") if p):
            if self._level_of.get(code) == level:
                return code
        return None

    def areas(self, level: str) -> list[dict]:
        """The topmost active units at ``level``: its districts, not their offices."""
        if level not in self._areas:
            self._areas[level] = sorted(
                (
                    u
                    for u in self.units
                    if u["level"] == level and self._area_code(u["path"], level) == u["code"]
                ),
                key=lambda u: u["path"],
            )
        return self._areas[level]

    def served(self, kind: str, level: str) -> set[str]:
        """Codes of the areas at ``level`` holding an active unit of ``kind`` at ``level``."""
        key = (kind, level)
        if key not in self._served:
            self._served[key] = {
                self._area_code(u["path"], level)
                for u in self.units
                if u["kind"] == kind and u["level"] == level
            }
        return self._served[key]


async def read_tree() -> Tree:
    from core.tenancy.tables import LevelRow, Unit

    units = await Unit.select(
        Unit.code, Unit.name, Unit.name_en, Unit.path, Unit.kind, Unit.level
    ).where(Unit.active == True)  # noqa: E712 - Piccolo needs ==
    levels = await LevelRow.select(LevelRow.key, LevelRow.name, LevelRow.name_en)
    return Tree(units=units, levels={row["key"]: row for row in levels})


def hook_answer(item: Item, step: Step, filing_unit: Mapping, hook=None) -> str | None | bool:
    """A plugin's unit for ``step`` asked with no case yet; ``True`` when it cannot tell
    (it needed the case and raised): the step is then left to it, not refused.
    ``hook``: the ``tongban_route_step`` caller (default: the process's plugins')."""
    hook = hook or get_plugin_manager().hook.tongban_route_step
    try:
        return hook(item=item, step=step, filing_unit=filing_unit, case=None)
    except Exception:  # noqa: BLE001 - a plugin routing by the case's data
        return True


def gaps(item: Item, tree: Tree, route_step: Callable | None = None) -> list[Gap]:
    """Every step of ``item`` that some (or every) area of its level cannot route.

    ``route_step``: the ``tongban_route_step`` hook to ask (default: the process's)."""
    active = {u["code"] for u in tree.units}
    found = []
    for step in item.workflow.routed_steps():
        areas = tree.areas(step.level)
        served = tree.served(step.unit_kind, step.level)
        missing = []
        for area in areas:
            if area["code"] in served:
                continue
            answer = hook_answer(item, step, area, route_step)
            if answer is True or (answer and str(answer) in active):
                continue
            missing.append(area)
        if missing or not areas:
            found.append(Gap(step=step, missing=tuple(missing), total=len(areas)))
    return found


def _gettext(locale: str, message: str, **params: object) -> str:
    """Translated; in English when the catalogues cannot be merged (``plugins check``
    diagnosing a plugin that cannot even be imported)."""
    from core.plugins import PluginError

    try:
        return gettext(locale, message, **params)
    except PluginError:
        return message % params if params else message


def describe(gap: Gap, tree: Tree, locale: str, kinds: Mapping | None = None) -> str:
    """The gap in ``locale``, naming the step, the kind, the level and the places.
    ``kinds``: the declared unit kinds (default: the process's catalogue's)."""
    from core.catalog.registry import get_catalog

    step = gap.step
    kind = (get_catalog().unit_kinds if kinds is None else kinds).get(step.unit_kind)
    params = {
        "step": name_in(step, locale, step.id),
        "kind": name_in(kind, locale, step.unit_kind),
        "level": name_in(tree.levels.get(step.level), locale, step.level),
    }
    if not gap.total:
        return _gettext(locale, NO_LEVEL, **params)
    if gap.everywhere:
        return _gettext(locale, NOWHERE, **params)
    names = [name_in(area, locale, area["code"]) for area in gap.missing[:MAX_PLACES]]
    if len(gap.missing) > MAX_PLACES:
        names.append("…")
    separator = "、" if locale != "en" else ", "
    return _gettext(
        locale,
        SOMEWHERE,
        count=len(gap.missing),
        total=gap.total,
        places=separator.join(names),
        **params,
    )


async def site_gaps(
    items: Iterable[Item], route_step: Callable | None = None
) -> tuple[Tree, dict[str, list[Gap]]]:
    """``(tree, {item code: gaps})`` for the items with any."""
    tree = await read_tree()
    report: dict[str, list[Gap]] = {}
    if not tree.units:  # no site loaded yet: nothing to say about its tree
        return tree, report
    for item in items:
        found = gaps(item, tree, route_step)
        if found:
            report[item.code] = found
    return tree, report


async def unroutable_steps(item: Item, filing_unit: Mapping) -> list[Step]:
    """The steps of ``item`` (branches included) no unit would handle for a case filed
    at ``filing_unit`` (``code``, ``path``, ``level``): neither a plugin's
    ``tongban_route_step`` nor an active unit of the step's kind at its level above it.

    One query for the filing unit's ancestors, then one per distinct (kind, level).
    """
    from core.tenancy.scope import ancestor_codes, under
    from core.tenancy.tables import Unit

    codes = ancestor_codes(filing_unit["path"])
    anchors = await Unit.select(Unit.path, Unit.level).where(Unit.code.is_in(codes or [""]))
    found: dict[tuple[str, str], bool] = {}
    missing = []
    for step in item.workflow.routed_steps():
        key = (step.unit_kind, step.level)
        if key not in found:
            where = None
            for anchor in (a for a in anchors if a["level"] == step.level):
                clause = under(Unit.path, anchor["path"])
                where = clause if where is None else where | clause
            found[key] = where is not None and await Unit.exists().where(
                where
                & (Unit.kind == step.unit_kind)
                & (Unit.level == step.level)
                & (Unit.active == True)  # noqa: E712 - Piccolo needs ==
            )
        if found[key]:
            continue
        answer = hook_answer(item, step, filing_unit)
        if answer is True:
            continue
        if answer and await Unit.exists().where(
            (Unit.code == str(answer)) & (Unit.active == True)  # noqa: E712
        ):
            continue
        missing.append(step)
    return missing


async def check_routable(item: Item, filing_unit: Mapping) -> None:
    """Refuse, before anything is written, a filing whose case would stop at a step
    no unit handles from ``filing_unit`` (a row with ``name``, ``code``, ``path``, ``level``)."""
    from core.catalog.registry import get_catalog
    from core.tenancy.tables import LevelRow, Unit

    key = (item.code, id(item), filing_unit["code"])
    if time.monotonic() - _routable.get(key, float("-inf")) < ROUTABLE_FOR:
        return
    missing = await unroutable_steps(item, dict(filing_unit))
    if not missing:
        _routable[key] = time.monotonic()
        return
    step = missing[0]
    kind = get_catalog().unit_kinds.get(step.unit_kind)
    level = (
        await LevelRow.select(LevelRow.name, LevelRow.name_en)
        .where(LevelRow.key == step.level)
        .first()
    )
    unit_en = filing_unit.get("name_en")
    if unit_en is None:
        row = await Unit.select(Unit.name_en).where(Unit.code == filing_unit["code"]).first()
        unit_en = row["name_en"] if row else ""
    # Named in both languages: the reader's is known only when the refusal is shown.
    raise NotRoutableHere(
        item=Localized(item.name, item.name_en),
        unit=Localized(filing_unit["name"], unit_en),
        step=Localized(step.name, step.name_en),
        kind=Localized(kind.name, kind.name_en) if kind else step.unit_kind,
        level=Localized(level["name"], level["name_en"]) if level else step.level,
    )


async def log_gaps() -> None:
    """Start-up: one warning per item step the tree cannot route (never stops start-up)."""
    from core.catalog.registry import get_catalog

    try:
        catalog = get_catalog()
        tree, report = await site_gaps(catalog.items.values())
    except Exception:  # noqa: BLE001 - a report, not a reason to stay down
        log.warning("could not check whether the items' steps can be routed", exc_info=True)
        return
    for code, found in report.items():
        for gap in found:
            log.warning(
                "item %s (%s): %s",
                code,
                catalog.item_plugin.get(code, "?"),
                describe(gap, tree, "en"),
            )


def gaps_from_cli(
    items: Iterable[Item], locale: str, *, kinds: Mapping, route_step: Callable
) -> tuple[list[tuple[str, str]], str]:
    """For ``tongban plugins check`` (its own plugin manager's ``kinds`` and hook):
    ``([(item code, message)], note)`` read from the site's database when it is set up;
    otherwise no gaps and a note saying why."""
    from core.db import get_engine, is_postgres
    from core.settings import get_settings

    note_missing = _gettext(
        locale,
        N_(
            "Routing was not checked against the unit tree: the site's database is not "
            "set up yet (tongban migrate, tongban site load)."
        ),
    )
    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        from pathlib import Path
        from urllib.parse import urlparse

        url = settings.database_url
        path = (
            url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else urlparse(url).path
        )
        if not Path(path).exists():
            return [], note_missing
    items = list(items)

    async def go():
        get_engine()
        try:
            return await asyncio.wait_for(site_gaps(items, route_step), 15 if is_postgres() else 60)
        finally:
            from core import db

            await db.stop()

    try:
        tree, report = asyncio.run(go())
    except Exception:  # noqa: BLE001 - no tables yet, or the database is away
        return [], note_missing
    if not tree.units:
        return [], note_missing
    return [
        (code, describe(gap, tree, locale, kinds))
        for code, found in report.items()
        for gap in found
    ], ""
