"""The dashboard's figures computed the slow way: by scanning the cases themselves.

What the aggregates save us from, kept as the reference they are measured
and checked against (``bench/dashboard.py``, the tests): every case of the
subtree that was filed, accepted or decided in the period, or is open now,
or was reviewed in it, is read and its figures recomputed with the same
:func:`~core.reports.contribution.case_figures` the aggregator uses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

from core.cases.states import OPEN_STATES
from core.cases.tables import Case
from core.deadlines.site_calendar import site_calendar
from core.reports.contribution import CaseFigures
from core.reports.counting import CASE_COLUMNS, figures_for
from core.reports.figures import Figures
from core.reviews.tables import Review
from core.tenancy.scope import under


@dataclass
class Scan:
    totals: Figures = field(default_factory=Figures)
    by_child: dict[str, Figures] = field(default_factory=dict)
    by_item: dict[str, Figures] = field(default_factory=dict)
    trend: dict[date, Counter] = field(default_factory=dict)
    cases_read: int = 0


def child_of(path: str, scope: str) -> str | None:
    """The child of ``path`` whose subtree holds ``scope`` (None: filed at ``path`` itself)."""
    rest = scope[len(path) :].strip("/")
    if not rest:
        return None
    return f"{path}{rest.split('/')[0]}/"


def _add(figures: Figures, case: CaseFigures, start: date, end: date) -> None:
    for day, counts in case.day_counts().items():
        if start <= day <= end:
            figures.counts.update(counts)
    handled = case.handling()
    if handled and start <= handled[0] <= end:
        figures.histogram[handled[1]] += 1
    figures.open_now += int(case.open)
    figures.red_now += int(case.red)


async def scan(path: str, start: date, end: date, *, batch: int = 5000) -> Scan:
    calendar = await site_calendar()
    since = calendar.start_of_day(start).astimezone(UTC)
    until = calendar.start_of_day(end + timedelta(days=1)).astimezone(UTC)

    def within(column) -> object:
        return (column >= since) & (column < until)

    reviewed = Review.select(Review.case).where(within(Review.created_at))
    where = under(Case.scope_path, path) & (
        within(Case.submitted_at)
        | within(Case.accepted_at)
        | within(Case.decided_at)
        | Case.state.is_in(sorted(OPEN_STATES))
        | Case.id.is_in(reviewed)
    )
    result = Scan()
    last = 0
    while True:
        rows = await (
            Case.select(*CASE_COLUMNS)
            .where(where & (Case.id > last))
            .order_by(Case.id)
            .limit(batch)
        )
        if not rows:
            return result
        last = rows[-1]["id"]
        result.cases_read += len(rows)
        for case in (await figures_for(rows)).values():
            _add(result.totals, case, start, end)
            _add(result.by_item.setdefault(case.item_code, Figures()), case, start, end)
            child = child_of(path, case.scope)
            if child:
                _add(result.by_child.setdefault(child, Figures()), case, start, end)
            for day, counts in case.day_counts().items():
                if start <= day <= end:
                    result.trend.setdefault(day, Counter()).update(counts)


def same(a: Figures, b: Figures) -> bool:
    """Equal figures (zero counts and empty histogram buckets aside)."""

    def nonzero(counter: Counter) -> dict:
        return {k: v for k, v in counter.items() if v}

    return (
        nonzero(a.counts) == nonzero(b.counts)
        and nonzero(a.histogram) == nonzero(b.histogram)
        and (a.open_now, a.red_now) == (b.open_now, b.red_now)
    )
