"""Reading the figures of a unit's subtree for a period — from the aggregates only.

Every query is a range over one of the aggregate tables' keys: a unit's own
rows (``scope = path``), or its children's (``parent = path``), for the days
of the period. The cost grows with the days and items of the period, never
with the number of cases.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from core.db import get_engine
from core.reports.contribution import DAY_COLUMNS, DIMENSIONS
from core.reports.tables import ReportDay

_SUMS = ", ".join(f"SUM({c}) AS {c}" for c in DAY_COLUMNS)


@dataclass
class Figures:
    """The figures of one scope (or one child, one item) for one period."""

    counts: Counter = field(default_factory=Counter)
    open_now: int = 0
    red_now: int = 0
    histogram: Counter = field(default_factory=Counter)  # handling days -> finished cases

    def __getattr__(self, name: str) -> int:
        if name in DAY_COLUMNS:
            return self.counts[name]
        raise AttributeError(name)

    @staticmethod
    def share(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def on_time_share(self) -> float | None:
        return self.share(self.counts["on_time"], self.counts["finished"])

    @property
    def late(self) -> int:
        return self.counts["finished"] - self.counts["on_time"]

    @property
    def avg_handling(self) -> float | None:
        return self.share(self.counts["handling_sum"], self.counts["finished"])

    @property
    def p90_handling(self) -> int | None:
        return percentile(self.histogram, 0.9)

    @property
    def le1_share(self) -> float | None:
        """最多跑一次: finished cases whose item needs at most one on-site visit."""
        return self.share(self.counts["visits_le1"], self.counts["finished"])

    @property
    def zero_share(self) -> float | None:
        return self.share(self.counts["visits_0"], self.counts["finished"])

    @property
    def proxy_share(self) -> float | None:
        return self.share(self.counts["filed_proxy"], self.counts["filed"])

    @property
    def satisfaction(self) -> float | None:
        """好评率: reviews of "basically satisfied" or better, of all counted reviews."""
        return self.share(self.counts["reviews_good"], self.counts["reviews"])

    @property
    def avg_score(self) -> float | None:
        return self.share(self.counts["score_sum"], self.counts["reviews"])

    def dimension(self, name: str) -> float | None:
        return self.share(self.counts[f"{name}_sum"], self.counts[f"{name}_n"])

    @property
    def dimensions(self) -> dict[str, float | None]:
        return {d: self.dimension(d) for d in DIMENSIONS}

    def merge(self, other: Figures) -> None:
        self.counts.update(other.counts)
        self.open_now += other.open_now
        self.red_now += other.red_now
        self.histogram.update(other.histogram)

    def as_dict(self) -> dict:
        """Plain numbers, for the monthly report's frozen copy and the exports."""
        return {
            **{c: self.counts[c] for c in DAY_COLUMNS},
            "open_now": self.open_now,
            "red_now": self.red_now,
            "p90_handling": self.p90_handling,
            "histogram": {str(k): v for k, v in sorted(self.histogram.items())},
        }

    @classmethod
    def from_dict(cls, data: dict) -> Figures:
        figures = cls(counts=Counter({c: int(data.get(c, 0) or 0) for c in DAY_COLUMNS}))
        figures.open_now = int(data.get("open_now", 0) or 0)
        figures.red_now = int(data.get("red_now", 0) or 0)
        figures.histogram = Counter(
            {int(k): int(v) for k, v in (data.get("histogram") or {}).items()}
        )
        return figures


def percentile(histogram: Counter, q: float) -> int | None:
    """The nearest-rank percentile of a histogram of whole days (None when empty).

    With n cases, the q-th percentile is the smallest value v such that at
    least ceil(q·n) cases took v days or fewer.
    """
    n = sum(histogram.values())
    if n <= 0:
        return None
    rank = max(1, math.ceil(q * n - 1e-9))
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen >= rank:
            return days
    return max(histogram)


async def together(*awaitables):
    """Independent reads at once — each on its own connection — or one after the other
    inside a transaction, whose single connection takes one query at a time."""
    if get_engine().transaction_exists():
        return [await a for a in awaitables]
    return await asyncio.gather(*awaitables)


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _counts(row: dict) -> Counter:
    return Counter({c: int(row.get(c) or 0) for c in DAY_COLUMNS})


async def _grouped(where_column: str, value: str, group: str, start: date, end: date):
    """Day counts, handling histogram and gauges, grouped by ``group`` (scope or item_code)."""
    days, handling, gauges = await together(
        ReportDay.raw(
            f"SELECT {group} AS k, {_SUMS} FROM reports_day "
            f"WHERE {where_column} = {{}} AND day >= {{}} AND day <= {{}} GROUP BY {group}",
            value,
            start,
            end,
        ).run(),
        ReportDay.raw(
            f"SELECT {group} AS k, days, SUM(cases) AS cases FROM reports_handling "
            f"WHERE {where_column} = {{}} AND day >= {{}} AND day <= {{}} GROUP BY {group}, days",
            value,
            start,
            end,
        ).run(),
        ReportDay.raw(
            f"SELECT {group} AS k, SUM(open) AS open, SUM(red) AS red FROM reports_now "
            f"WHERE {where_column} = {{}} GROUP BY {group}",
            value,
        ).run(),
    )
    result: dict[str, Figures] = {}
    for row in days:
        result.setdefault(row["k"], Figures()).counts.update(_counts(row))
    for row in handling:
        result.setdefault(row["k"], Figures()).histogram[int(row["days"])] += int(row["cases"] or 0)
    for row in gauges:
        figures = result.setdefault(row["k"], Figures())
        figures.open_now += int(row["open"] or 0)
        figures.red_now += int(row["red"] or 0)
    return result


async def totals(scope: str, start: date, end: date) -> Figures:
    """The figures of the subtree at ``scope`` (a unit path) for the days ``start``–``end``."""
    total = Figures()
    for item_figures in (await by_item(scope, start, end)).values():
        total.merge(item_figures)
    return total


async def by_child(scope: str, start: date, end: date) -> dict[str, Figures]:
    """The figures of each child subtree (keyed by the child's path)."""
    return await _grouped("parent", scope, "scope", start, end)


async def by_item(scope: str, start: date, end: date) -> dict[str, Figures]:
    """The figures of the subtree per item code."""
    return await _grouped("scope", scope, "item_code", start, end)


async def trend(scope: str, start: date, end: date) -> dict[date, Counter]:
    """Day by day counts of the subtree (days without any activity are absent)."""
    rows = await ReportDay.raw(
        f"SELECT day, {_SUMS} FROM reports_day "
        "WHERE scope = {} AND day >= {} AND day <= {} GROUP BY day ORDER BY day",
        scope,
        start,
        end,
    )
    return {_day(row["day"]): _counts(row) for row in rows}
