"""Resolve a workflow step to the unit that handles it, from the filing unit up the tree.

A step names a unit kind at a level ("service_centre at township"). The
router finds the filing unit's ancestor at that level and, beneath it, the
active unit of that kind nearest to it — the village's township window, the
district's social insurance centre.

A plugin may decide instead through ``tongban_route_step`` (first answer
wins): a tax plugin sending companies to a different office, say. Its answer
is a unit code, checked like any other: an unknown or inactive unit stops
the filing with a clear message rather than routing the case nowhere.

Whether every step of an item *can* be routed from a place — asked before filing,
and over the whole tree for the city admin — is :mod:`core.catalog.routability`,
the same rule without the walk.
"""

from __future__ import annotations

from core.catalog.workflow import Step
from core.errors import RoutingFailed
from core.plugins import get_plugin_manager
from core.tenancy.scope import ancestor_codes
from core.tenancy.tables import Unit

UNIT_COLUMNS = (Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.path, Unit.kind, Unit.level)


async def resolve_step(step: Step, filing_path: str) -> dict:
    """Return the unit row (id, code, name, path, kind, level) handling ``step``."""
    codes = ancestor_codes(filing_path)
    ancestors = await Unit.select(Unit.code, Unit.path, Unit.level).where(
        Unit.code.is_in(codes) & (Unit.level == step.level)
    )
    # The deepest ancestor at that level (a tree has one per level, but be exact).
    ancestors.sort(key=lambda row: len(row["path"]), reverse=True)
    for anchor in ancestors:
        unit = await (
            Unit.select(*UNIT_COLUMNS)
            .where(
                Unit.path.like(anchor["path"] + "%")
                & (Unit.kind == step.unit_kind)
                & (Unit.level == step.level)
                & (Unit.active == True)  # noqa: E712 - Piccolo needs ==
            )
            .order_by(Unit.depth)
            .first()
        )
        if unit:
            return unit
    raise RoutingFailed(unit_kind=step.unit_kind, level=step.level)


async def route_step(item, step: Step, filing_unit: dict, case: dict | None = None) -> dict:
    """The unit for ``step``: a plugin's choice if one makes it, else the tree's.

    ``filing_unit`` has at least ``code``, ``path`` and ``level``; ``case`` is
    the case row once it exists (None while filing).
    """
    code = get_plugin_manager().hook.tongban_route_step(
        item=item, step=step, filing_unit=filing_unit, case=case
    )
    if code:
        unit = await (
            Unit.select(*UNIT_COLUMNS)
            .where((Unit.code == str(code)) & (Unit.active == True))  # noqa: E712
            .first()
        )
        if unit is None:
            raise RoutingFailed(unit_kind=f"{step.unit_kind} ({code})", level=step.level)
        return unit
    return await resolve_step(step, filing_unit["path"])
