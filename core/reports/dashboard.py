"""A unit's dashboard: its figures, the breakdowns and the trend, from the aggregates.

Assembles what the page shows; the numbers themselves come from
:mod:`core.reports.figures`. Breakdown rows are named from the unit tree
and the catalogue; a child unit with no cases yet is listed with zeros so
that a silent township shows up as silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.catalog.registry import get_catalog
from core.reports import access, figures
from core.reports.figures import Figures
from core.reports.periods import Period
from core.tenancy.scope import Principal


@dataclass
class Row:
    key: str
    name: str
    name_en: str
    figures: Figures
    code: str = ""  # a unit one may drill into
    kind: str = ""


@dataclass
class TrendPoint:
    label: str
    filed: int
    finished: int
    on_time: int


@dataclass
class Dashboard:
    unit: dict
    period: Period
    totals: Figures
    children: list[Row]
    items: list[Row]
    departments: list[Row]
    trend: list[TrendPoint]
    breadcrumbs: list[dict] = field(default_factory=list)


async def build(principal: Principal, unit: dict, period: Period) -> Dashboard:
    """Everything the dashboard of ``unit`` shows for ``period`` (access already checked)."""
    path = unit["path"]
    # Independent reads, run at once: the page waits for the slowest, not the sum.
    by_item, children, trend, breadcrumbs = await figures.together(
        figures.by_item(path, period.start, period.end),
        _children(unit, period),
        _trend(path, period),
        _breadcrumbs(principal, path),
    )
    total = Figures()
    for item_figures in by_item.values():
        total.merge(item_figures)
    return Dashboard(
        unit=unit,
        period=period,
        totals=total,
        children=children,
        items=_items(by_item),
        departments=_departments(by_item),
        trend=trend,
        breadcrumbs=breadcrumbs,
    )


async def _children(unit: dict, period: Period) -> list[Row]:
    found, below = await figures.together(
        figures.by_child(unit["path"], period.start, period.end), access.children_of(unit)
    )
    units = {u["path"]: u for u in below}
    units.update(await access.units_at([p for p in found if p not in units]))
    rows = []
    for path, child in units.items():
        numbers = found.get(path, Figures())
        # Offices and windows without any case are noise; administrative units are not.
        if path not in found and child["kind"] not in ("district", "township", "village"):
            continue
        rows.append(
            Row(
                key=path,
                name=child["name"],
                name_en=child["name_en"],
                figures=numbers,
                code=child["code"],
                kind=child["kind"],
            )
        )
    for path, numbers in found.items():
        if path not in units:  # a unit that no longer exists at this path (moved)
            rows.append(Row(key=path, name=path, name_en=path, figures=numbers))
    rows.sort(key=lambda r: r.code or r.key)
    return rows


def _items(by_item: dict[str, Figures]) -> list[Row]:
    catalog = get_catalog()
    rows = []
    for code, numbers in by_item.items():
        item = catalog.items.get(code)
        rows.append(
            Row(
                key=code,
                name=item.name if item else code,
                name_en=(item.name_en or item.name) if item else code,
                figures=numbers,
            )
        )
    rows.sort(key=lambda r: (-r.figures.filed, r.key))
    return rows


def _departments(by_item: dict[str, Figures]) -> list[Row]:
    """Items grouped by the department (unit kind) that owns them."""
    catalog = get_catalog()
    grouped: dict[str, Figures] = {}
    for code, numbers in by_item.items():
        item = catalog.items.get(code)
        kind = item.department if item else ""
        grouped.setdefault(kind, Figures()).merge(numbers)
    rows = []
    for kind, numbers in grouped.items():
        declared = catalog.unit_kinds.get(kind)
        rows.append(
            Row(
                key=kind,
                name=declared.name if declared else (kind or "—"),
                name_en=(declared.name_en or declared.name) if declared else (kind or "—"),
                figures=numbers,
                kind=kind,
            )
        )
    rows.sort(key=lambda r: (-r.figures.filed, r.key))
    return rows


async def _trend(path: str, period: Period) -> list[TrendPoint]:
    days = await figures.trend(path, period.start, period.end)
    points: dict[str, TrendPoint] = {}

    def label(day: date) -> str:
        return day.strftime("%m-%d") if period.daily else day.strftime("%Y-%m")

    day = period.start
    while day <= period.end:
        points.setdefault(label(day), TrendPoint(label(day), 0, 0, 0))
        day = date.fromordinal(day.toordinal() + 1)
    for day, counts in days.items():
        point = points[label(day)]
        point.filed += counts["filed"]
        point.finished += counts["finished"]
        point.on_time += counts["on_time"]
    return list(points.values())


async def _breadcrumbs(principal: Principal, path: str) -> list[dict]:
    """The unit's ancestors the person may look at, top first, the unit itself last."""
    parts = [p for p in path.split("/") if p]
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    visible = [p for p in paths if access.covers(principal, p)]
    units = await access.units_at(visible)
    return [units[p] for p in visible if p in units]
