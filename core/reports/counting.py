"""Keep the aggregates in step with the cases: count a case again, add the difference.

:func:`count_case` runs when a case event has committed (the
``tongban_case_event`` hook, in the ``case_event`` actor's transaction) and
when a review of the case changes (in the review's transaction). It reads the
case as it is now, works out its figures, compares them with what its
:class:`~core.reports.tables.ReportCursor` says it contributed, and adds the
difference to the aggregates — in the caller's transaction, together with the
new cursor. So a message delivered twice, or messages for the same case
handled out of order, count the case exactly once, and a crash between the
two leaves neither.

Two workers counting the same case at once meet at the cursor row: the
update is conditional on the revision read (an optimistic lock), the loser
reads again and recomputes against the winner's figures.
"""

from __future__ import annotations

import json
from collections import defaultdict

from core.cases import timing
from core.cases.tables import Case, CasePause, Task
from core.catalog.versions import item_for_version
from core.db import transaction
from core.deadlines.clock import Pause
from core.deadlines.site_calendar import site_calendar
from core.errors import TongbanError
from core.reports import store
from core.reports.contribution import (
    CaseFigures,
    Delta,
    ReviewFigures,
    aware,
    case_figures,
    difference,
)
from core.reports.tables import ReportCursor
from core.reviews.tables import Review

CASE_COLUMNS = (
    Case.id,
    Case.scope_path,
    Case.item_code,
    Case.item_version,
    Case.channel,
    Case.state,
    Case.light,
    Case.submitted_at,
    Case.accepted_at,
    Case.decided_at,
    Case.outcome,
    Case.limit_days,
    Case.event_count,
    Case.updated_at,
)
_visits: dict[int, int] = {}


class ConcurrentCount(TongbanError):
    """The cursor kept changing under us; the message is retried later."""

    status_code = 409


async def visits_of(version_id: int) -> int:
    """On-site visits the item version a case was filed under needs (cached: versions never change)."""
    if version_id not in _visits:
        _visits[version_id] = (await item_for_version(version_id)).visits
    return _visits[version_id]


def among(column, ids: list[int]):
    """``column`` is one of ``ids``: a range for a batch (no thousand-parameter IN list)."""
    if len(ids) > 50:
        return (column >= min(ids)) & (column <= max(ids))
    return column.is_in(ids)


async def pauses_of(case_ids: list[int]) -> dict[int, list[Pause]]:
    """The clock pauses of these cases (as :func:`core.cases.timing.pauses_of`, batch-friendly)."""
    found: dict[int, list[Pause]] = defaultdict(list)
    if not case_ids:
        return found
    wanted = set(case_ids)
    rows = await CasePause.select(
        CasePause.case, CasePause.kind, CasePause.started_at, CasePause.ended_at
    ).where(among(CasePause.case, case_ids))
    for row in rows:
        if row["case"] in wanted:
            found[row["case"]].append(
                Pause(
                    aware(row["started_at"]),
                    aware(row["ended_at"]),
                    "suspended" if row["kind"] == "suspended" else "supplement",
                )
            )
    return found


async def reviews_of(case_ids: list[int], calendar) -> dict[int, tuple[ReviewFigures, ...]]:
    """The counted (not overturned) reviews of these cases."""
    found: dict[int, list[ReviewFigures]] = defaultdict(list)
    if not case_ids:
        return {}
    wanted = set(case_ids)
    rows = await Review.select(
        Review.case,
        Review.created_at,
        Review.overall,
        Review.efficiency,
        Review.guide,
        Review.convenience,
        Review.attitude,
    ).where(among(Review.case, case_ids) & (Review.overturned == False))  # noqa: E712
    for row in rows:
        if row["case"] not in wanted:
            continue
        found[row["case"]].append(
            ReviewFigures(
                calendar.local_date(aware(row["created_at"])),
                row["overall"],
                row["efficiency"],
                row["guide"],
                row["convenience"],
                row["attitude"],
            )
        )
    return {case_id: tuple(reviews) for case_id, reviews in found.items()}


async def late_steps_of(case_ids: list[int]) -> set[int]:
    """Those of these cases with an open step (a parallel branch …) whose own light is red."""
    if not case_ids:
        return set()
    wanted = set(case_ids)
    rows = await Task.select(Task.case).where(
        among(Task.case, case_ids) & (Task.state == "open") & (Task.light == "red")
    )
    return {row["case"] for row in rows if row["case"] in wanted}


async def figures_for(cases: list[dict]) -> dict[int, CaseFigures]:
    """The figures of many case rows (selected with :data:`CASE_COLUMNS`) at once."""
    if not cases:
        return {}
    calendar = await site_calendar()
    ids = [c["id"] for c in cases]
    pauses = await pauses_of(ids)
    reviews = await reviews_of(ids, calendar)
    late = await late_steps_of(ids)
    result = {}
    for case in cases:
        result[case["id"]] = case_figures(
            case,
            pauses=pauses.get(case["id"], []),
            calendar=calendar,
            visits=await visits_of(case["item_version"]),
            reviews=reviews.get(case["id"], ()),
            late_step=case["id"] in late,
        )
    return result


def figures_from_cursor(row: dict) -> CaseFigures:
    raw_reviews = row["reviews"] or []
    if isinstance(raw_reviews, str):
        raw_reviews = json.loads(raw_reviews)
    return CaseFigures(
        scope=row["scope"],
        item_code=row["item_code"],
        filed_on=row["filed_on"],
        proxy=bool(row["proxy"]),
        accepted_on=row["accepted_on"],
        decided_on=row["decided_on"],
        approved=bool(row["approved"]),
        on_time=bool(row["on_time"]),
        handling_days=row["handling_days"],
        visits=row["visits"],
        open=bool(row["open"]),
        red=bool(row["red"]),
        reviews=tuple(ReviewFigures.from_list(r) for r in raw_reviews),
    )


def _cursor_values(figures: CaseFigures) -> dict:
    return {
        "scope": figures.scope,
        "item_code": figures.item_code,
        "filed_on": figures.filed_on,
        "proxy": figures.proxy,
        "accepted_on": figures.accepted_on,
        "decided_on": figures.decided_on,
        "approved": figures.approved,
        "on_time": figures.on_time,
        "handling_days": figures.handling_days,
        "visits": figures.visits,
        "open": figures.open,
        "red": figures.red,
        "reviews": [r.as_list() for r in figures.reviews],
    }


async def claim(case_id: int, version: int, cursor: dict | None, figures: CaseFigures) -> bool:
    """Write the new cursor if nobody else did since we read it; False if someone did."""
    values = _cursor_values(figures)
    if cursor is None:
        inserted = (
            await ReportCursor.insert(ReportCursor(case=case_id, version=version, rev=1, **values))
            .on_conflict(target=ReportCursor.case, action="DO NOTHING")
            .returning(ReportCursor.id)
        )
        return bool(inserted)
    updates = {getattr(ReportCursor, k): v for k, v in values.items()}
    updates[ReportCursor.version] = max(version, cursor["version"])
    updates[ReportCursor.rev] = cursor["rev"] + 1
    updates[ReportCursor.counted_at] = _now()
    changed = (
        await ReportCursor.update(updates)
        .where((ReportCursor.case == case_id) & (ReportCursor.rev == cursor["rev"]))
        .returning(ReportCursor.id)
    )
    return bool(changed)


def _now():
    return timing.utcnow()


async def count_case(case_id: int, *, force: bool = False, attempts: int = 5) -> Delta | None:
    """Bring the aggregates up to date with one case. Returns what was added (None: nothing).

    Without ``force`` a case already counted at its current event count is
    skipped at once (the usual duplicate or late message); with it (a review
    changed, or reconciliation) the figures are always recomputed.
    """
    async with transaction():
        for _ in range(attempts):
            case = await Case.select(*CASE_COLUMNS).where(Case.id == case_id).first()
            if case is None:
                return None
            cursor = await ReportCursor.select().where(ReportCursor.case == case_id).first()
            if cursor is not None and not force and cursor["version"] >= case["event_count"]:
                return None
            new = (await figures_for([case]))[case_id]
            old = figures_from_cursor(cursor) if cursor is not None else None
            if old == new and cursor is not None and cursor["version"] >= case["event_count"]:
                return None
            if await claim(case_id, case["event_count"], cursor, new):
                delta = difference(old, new)
                await store.apply(delta)
                return delta
        raise ConcurrentCount()
