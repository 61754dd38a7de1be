"""Resolve a workflow step to the unit that handles it, from the filing unit up the tree.

A step names a unit kind at a level ("service_centre at township"). The
router finds the filing unit's ancestor at that level and, beneath it, the
active unit of that kind nearest to it — the village's township window, the
district's social insurance centre.

A plugin may decide instead through ``tongban_route_step`` (first answer
wins): a tax plugin sending companies to a different office, say. Its answer
is a unit code, checked like any other: an unknown or inactive unit stops
the filing with a clear message rather than routing the case nowhere.
"""

from __future__ import annotations

from core.catalog.workflow import Step
from core.errors import RoutingFailed
from core.plugins import get_plugin_manager
from core.tenancy.tables import Unit

UNIT_COLUMNS = (Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.path, Unit.kind, Unit.level)


def ancestor_codes(path: str) -> list[str]:
    """``/a/b/c/`` → ``['a', 'b', 'c']`` (root first)."""
    return [part for part in path.split("/") if part]


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


# -- can this item be routed from here? --------------------------------------------------
# Checked before anything is written at filing, and over the whole tree for ``tongban
# plugins check``, the catalogue admin pages and a warning at start-up
# (core.catalog.routability): the same rule as :func:`resolve_step`, without the walk.


def routed_steps(item) -> list[Step]:
    """The steps a unit takes: branches included, a parallel step itself not (it only
    fans out to its branches)."""
    return [s for s in item.workflow.walk() if not s.branches]


def _hook_answer(item, step: Step, filing_unit: dict, hook=None) -> str | None | bool:
    """A plugin's unit for ``step`` asked with no case yet; ``True`` when it cannot tell
    (it needed the case and raised): the step is then left to it, not refused.
    ``hook``: the ``tongban_route_step`` caller (default: the process's plugins')."""
    hook = hook or get_plugin_manager().hook.tongban_route_step
    try:
        return hook(item=item, step=step, filing_unit=filing_unit, case=None)
    except Exception:  # noqa: BLE001 - a plugin routing by the case's data
        return True


async def unroutable_steps(item, filing_unit: dict) -> list[Step]:
    """The steps of ``item`` (branches included) no unit would handle for a case filed
    at ``filing_unit`` (``code``, ``path``, ``level``): neither a plugin's
    ``tongban_route_step`` nor an active unit of the step's kind at its level above it.

    One query for the filing unit's ancestors, then one per distinct (kind, level).
    """
    steps = routed_steps(item)
    codes = ancestor_codes(filing_unit["path"])
    anchors = await Unit.select(Unit.path, Unit.level).where(Unit.code.is_in(codes or [""]))
    found: dict[tuple[str, str], bool] = {}
    missing = []
    for step in steps:
        key = (step.unit_kind, step.level)
        if key not in found:
            paths = [a["path"] for a in anchors if a["level"] == step.level]
            where = None
            for path in paths:
                clause = Unit.path.like(path + "%")
                where = clause if where is None else where | clause
            found[key] = where is not None and await Unit.exists().where(
                where
                & (Unit.kind == step.unit_kind)
                & (Unit.level == step.level)
                & (Unit.active == True)  # noqa: E712 - Piccolo needs ==
            )
        if found[key]:
            continue
        answer = _hook_answer(item, step, filing_unit)
        if answer is True:
            continue
        if answer and await Unit.exists().where(
            (Unit.code == str(answer)) & (Unit.active == True)  # noqa: E712
        ):
            continue
        missing.append(step)
    return missing
