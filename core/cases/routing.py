"""Resolve a workflow step to the unit that handles it, from the filing unit up the tree.

A step names a unit kind at a level ("service_centre at township"). The
router finds the filing unit's ancestor at that level and, beneath it, the
active unit of that kind nearest to it — the village's township window, the
district's social insurance centre.
"""

from __future__ import annotations

from core.catalog.workflow import Step
from core.errors import RoutingFailed
from core.tenancy.tables import Unit


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
            Unit.select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.kind, Unit.level)
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
