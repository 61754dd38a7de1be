"""Reconciliation: recompute the figures from the cases and report (and repair) drift.

Two checks, run nightly by the worker and on demand by ``tongban reports
reconcile``:

1. **Cases against their cursors.** Every case's figures are recomputed
   from its row, its pauses, its item version and its reviews, and compared
   with what its cursor says it contributed. A case never counted (a lost
   message) or counted with other facts (a calendar day changed after the
   fact, a unit moved) is counted again through the normal path, which
   moves exactly the difference. A case changed in the last few minutes is
   left to the message already on its way.
2. **Aggregates against the cursors**, day by day over a window of past
   days (today's rows are still moving), and the gauges. Rows that do not
   add up — a bug, a hand edit — are rebuilt from the cursors, in one
   transaction per day; on PostgreSQL that transaction is REPEATABLE READ,
   so a review overturned meanwhile makes it retry instead of being lost.

Each run is a :class:`~core.reports.tables.ReconciliationRun` row with what
it found; drift is also logged as a warning.

A nightly run not heard from for a while is taken over by the next tick (see
:mod:`core.reports.periodic`); the run taking over marks it ``superseded_by``
itself. Usually the taken-over run's worker is gone, but it may only have been
stalled (a database not answering for minutes): when it goes on, it sees the
mark before its next batch of cases, day or the gauges, and stops there — it
repairs nothing more, and is recorded as superseded, not as failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from core.cases import timing
from core.cases.tables import Case
from core.db import is_postgres, transaction
from core.deadlines.site_calendar import site_calendar
from core.jobs.tables import ProcessedMessage
from core.reports import store
from core.reports.contribution import DAY_COLUMNS, Delta, aware
from core.reports.counting import (
    CASE_COLUMNS,
    among,
    count_case,
    figures_for,
    figures_from_cursor,
)
from core.reports.periods import local_today
from core.reports.tables import (
    ReconciliationRun,
    ReportCursor,
    ReportDay,
    ReportHandling,
    ReportNow,
)
from core.reviews.tables import Review

log = logging.getLogger("tongban.reports")

GRACE = timedelta(minutes=10)  # a case changed more recently is still being counted
# How often a running reconciliation touches its run's heartbeat_at: one not heard from
# for a few of these lost its worker (core.reports.periodic.STALE_RUN).
HEARTBEAT = timedelta(minutes=1)
MAX_SAMPLES = 20


@dataclass
class Outcome:
    cases_checked: int = 0
    cases_uncounted: int = 0
    cases_changed: int = 0
    days_checked: int = 0
    days_drifted: int = 0
    gauges_drifted: int = 0
    samples: list[dict] = field(default_factory=list)
    # The run that took this one over (it stopped, leaving the rest to that one).
    superseded_by: int | None = None

    @property
    def drifted(self) -> bool:
        return bool(
            self.cases_uncounted or self.cases_changed or self.days_drifted or self.gauges_drifted
        )

    def sample(self, **entry) -> None:
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(
                {k: (v.isoformat() if isinstance(v, date) else v) for k, v in entry.items()}
            )


async def reconcile(
    *,
    days: int | None = 35,
    repair: bool = True,
    trigger: str = "command",
    now: datetime | None = None,
    batch: int = 2000,
    claim: str | None = None,
) -> tuple[int | None, Outcome]:
    """Run both checks; ``days=None`` checks every day since the first case. Returns (run id, outcome).

    ``claim``: a jobs-ledger key recorded with the run; when someone recorded
    it already, nothing is done and the run id is None.
    """
    now = now or timing.utcnow()
    today = local_today(now)
    first = today - timedelta(days=days) if days else await _first_day(today)
    last = today - timedelta(days=1)
    outcome = Outcome()
    async with transaction():
        if claim is not None and not await _claim(claim, now):
            return None, outcome
        run = (
            await ReconciliationRun.insert(
                ReconciliationRun(
                    run_on=today,
                    trigger=trigger,
                    started_at=now,
                    heartbeat_at=now,
                    window_from=first,
                    window_to=last,
                    repair=repair,
                )
            ).returning(ReconciliationRun.id)
        )[0]["id"]
        if claim is not None:
            # Claimed: no unfinished run of tonight was heard from lately (periodic), and
            # any such run is taken over by this one — stalled rather than dead, it stops.
            await ReconciliationRun.update({ReconciliationRun.superseded_by: run}).where(
                (ReconciliationRun.run_on == today)
                & (ReconciliationRun.trigger == trigger)
                & ReconciliationRun.finished_at.is_null()
                & ReconciliationRun.superseded_by.is_null()
                & (ReconciliationRun.id != run)
            )
    error = ""

    async def still_ours() -> None:
        await _still_ours(run)

    beating = asyncio.create_task(_heartbeat(run))
    try:
        await check_cases(outcome, now=now, repair=repair, batch=batch, between=still_ours)
        day = first
        while day <= last:
            await still_ours()
            await _retrying(lambda d=day: check_day(d, outcome, repair=repair))
            day += timedelta(days=1)
        await still_ours()
        await _retrying(lambda: check_gauges(outcome, repair=repair))
    except Superseded as exc:  # not a failure: the run that took over does the work
        outcome.superseded_by = exc.by
        log.warning(
            "reconciliation run %s was taken over by run %s (not heard from meanwhile); "
            "stopped after %s cases and %s days",
            run,
            exc.by,
            outcome.cases_checked,
            outcome.days_checked,
        )
    except BaseException as exc:  # recorded on the run, then raised for the worker's retry
        # BaseException: the worker's time limit cancels the run (CancelledError), and
        # an interrupted run has not reconciled either; recorded as done, it would stand.
        error = repr(exc)[:2000]
        raise
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        await ReconciliationRun.update(
            {
                ReconciliationRun.finished_at: timing.utcnow(),
                ReconciliationRun.cases_checked: outcome.cases_checked,
                ReconciliationRun.cases_uncounted: outcome.cases_uncounted,
                ReconciliationRun.cases_changed: outcome.cases_changed,
                ReconciliationRun.days_checked: outcome.days_checked,
                ReconciliationRun.days_drifted: outcome.days_drifted,
                ReconciliationRun.gauges_drifted: outcome.gauges_drifted,
                ReconciliationRun.samples: outcome.samples,
                ReconciliationRun.error: error,
            }
        ).where(ReconciliationRun.id == run)
    if outcome.drifted:
        log.warning(
            "reports drift: %s uncounted and %s changed cases, %s of %s days, %s gauges%s",
            outcome.cases_uncounted,
            outcome.cases_changed,
            outcome.days_drifted,
            outcome.days_checked,
            outcome.gauges_drifted,
            " (repaired)" if repair else "",
        )
    return run, outcome


class Superseded(Exception):
    """Another run took this one over: it stops, repairing nothing more."""

    def __init__(self, by: int):
        super().__init__(f"superseded by reconciliation run {by}")
        self.by = by


async def _still_ours(run: int) -> None:
    """Raise :class:`Superseded` when another run took ``run`` over (one indexed read)."""
    row = (
        await ReconciliationRun.select(ReconciliationRun.superseded_by)
        .where(ReconciliationRun.id == run)
        .first()
    )
    if row is not None and row["superseded_by"] is not None:
        raise Superseded(row["superseded_by"])


async def _heartbeat(run: int) -> None:
    """Touch the run every ``HEARTBEAT`` while it runs (the task dies with the worker)."""
    while True:
        await asyncio.sleep(HEARTBEAT.total_seconds())
        try:
            await ReconciliationRun.update({ReconciliationRun.heartbeat_at: timing.utcnow()}).where(
                (ReconciliationRun.id == run) & ReconciliationRun.finished_at.is_null()
            )
        except Exception:  # the database away a moment: the next beat tries again
            log.warning("reconciliation run %s: heartbeat not recorded", run, exc_info=True)


async def _claim(key: str, now: datetime) -> bool:
    """Record ``key`` in the jobs ledger; False when it is there already (unique key)."""
    return bool(
        await ProcessedMessage.insert(ProcessedMessage(key=key, processed_at=now))
        .on_conflict(target=ProcessedMessage.key, action="DO NOTHING")
        .returning(ProcessedMessage.id)
    )


async def _first_day(today: date) -> date:
    row = (
        await ReportCursor.select(ReportCursor.filed_on)
        .where(ReportCursor.filed_on.is_not_null())
        .order_by(ReportCursor.filed_on)
        .first()
    )
    return row["filed_on"] if row else today


async def _retrying(work, attempts: int = 3):
    """Run ``work`` again when PostgreSQL reports a serialization failure."""
    for attempt in range(attempts):
        try:
            return await work()
        except Exception as exc:
            if (
                attempt + 1 < attempts
                and "serializ" in type(exc).__name__.lower() + str(exc).lower()
            ):
                continue
            raise
    return None


async def _repeatable_read() -> None:
    if is_postgres():
        await ReportDay.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


# -- 1. cases against their cursors -------------------------------------------------


async def check_cases(
    outcome: Outcome, *, now: datetime, repair: bool, batch: int, between=None
) -> None:
    """``between``: awaited before each batch (a nightly run checks it was not taken over)."""
    last = 0
    while True:
        if between is not None:
            await between()
        cases = await (
            Case.select(*CASE_COLUMNS).where(Case.id > last).order_by(Case.id).limit(batch)
        )
        if not cases:
            return
        last = cases[-1]["id"]
        truth = await figures_for(cases)
        cursors = {
            row["case"]: row
            for row in await ReportCursor.select()
            .where(among(ReportCursor.case, [c["id"] for c in cases]))
            .output(load_json=True)
        }
        for case in cases:
            outcome.cases_checked += 1
            cursor = cursors.get(case["id"])
            new = truth[case["id"]]
            old = figures_from_cursor(cursor) if cursor else None
            behind = cursor is None or cursor["version"] < case["event_count"]
            if old == new and not behind:
                continue
            if behind and aware(case["updated_at"]) > now - GRACE:
                continue  # its message is on its way
            if old == new:
                continue  # behind on events that changed nothing it counts
            if behind:
                outcome.cases_uncounted += 1
            else:
                outcome.cases_changed += 1
            outcome.sample(kind="uncounted" if behind else "changed", case=case["id"])
            if repair:
                await count_case(case["id"], force=True)


# -- 2. aggregates against the cursors ----------------------------------------------


def _day_bounds(day: date, calendar) -> tuple[datetime, datetime]:
    start = calendar.start_of_day(day).astimezone(UTC)
    return start, start + timedelta(days=1)


async def expected_for_day(day: date) -> Delta:
    """What the cursors say the rows of ``day`` should hold (leaf scopes)."""
    calendar = await site_calendar()
    start, end = _day_bounds(day, calendar)
    reviewed = await Review.select(Review.case).where(
        (Review.created_at >= start) & (Review.created_at < end)
    )
    clause = (
        (ReportCursor.filed_on == day)
        | (ReportCursor.accepted_on == day)
        | (ReportCursor.decided_on == day)
    )
    if reviewed:
        clause = clause | ReportCursor.case.is_in(sorted({r["case"] for r in reviewed}))
    rows = await ReportCursor.select().where(clause).output(load_json=True)
    delta = Delta()
    for row in rows:
        figures = figures_from_cursor(row)
        counts = figures.day_counts().get(day)
        if counts:
            key = (figures.scope, day, figures.item_code)
            delta.days.setdefault(key, Counter()).update(counts)
        handled = figures.handling()
        if handled and handled[0] == day:
            delta.handling[(figures.scope, day, figures.item_code, handled[1])] += 1
    return delta.prune()


async def check_day(day: date, outcome: Outcome, *, repair: bool) -> None:
    async with transaction():
        await _repeatable_read()
        expected_days, expected_handling, _ = store.expand(await expected_for_day(day))
        want = {(k[0], k[3]): nonzero(c) for k, c in expected_days.items() if nonzero(c)}
        have = {}
        for row in await ReportDay.select().where(ReportDay.day == day):
            counts = nonzero(Counter({c: row[c] for c in DAY_COLUMNS}))
            if counts:
                have[(row["scope"], row["item_code"])] = counts
        want_h = {(k[0], k[3], k[4]): n for k, n in expected_handling.items() if n}
        have_h = {
            (r["scope"], r["item_code"], r["days"]): r["cases"]
            for r in await ReportHandling.select().where(ReportHandling.day == day)
            if r["cases"]
        }
        outcome.days_checked += 1
        if want == have and want_h == have_h:
            return
        outcome.days_drifted += 1
        for key in sorted(set(want) | set(have)):
            w, h = want.get(key, Counter()), have.get(key, Counter())
            for column in sorted(set(w) | set(h)):
                if w[column] != h[column]:
                    outcome.sample(
                        kind="day",
                        day=day,
                        scope=key[0],
                        item=key[1],
                        column=column,
                        expected=w[column],
                        stored=h[column],
                    )
        if repair:
            await ReportDay.delete().where(ReportDay.day == day)
            await ReportHandling.delete().where(ReportHandling.day == day)
            await store.write_expanded(expected_days, expected_handling, {})


async def check_gauges(outcome: Outcome, *, repair: bool) -> None:
    async with transaction():
        await _repeatable_read()
        rows = await ReportCursor.raw(
            "SELECT scope, item_code, SUM(CASE WHEN open THEN 1 ELSE 0 END) AS open, "
            "SUM(CASE WHEN red THEN 1 ELSE 0 END) AS red FROM reports_cursor "
            "GROUP BY scope, item_code"
        )
        leaf = Delta()
        for row in rows:
            leaf.now[(row["scope"], row["item_code"])] = Counter(
                open=int(row["open"] or 0), red=int(row["red"] or 0)
            )
        _, _, expected = store.expand(leaf.prune())
        want = {(k[0], k[2]): nonzero(c) for k, c in expected.items() if nonzero(c)}
        have = {}
        for row in await ReportNow.select():
            counts = nonzero(Counter(open=row["open"], red=row["red"]))
            if counts:
                have[(row["scope"], row["item_code"])] = counts
        if want == have:
            return
        outcome.gauges_drifted += sum(
            1 for key in set(want) | set(have) if want.get(key) != have.get(key)
        )
        for key in sorted(set(want) | set(have)):
            if want.get(key) != have.get(key):
                outcome.sample(
                    kind="now",
                    scope=key[0],
                    item=key[1],
                    expected=dict(want.get(key, {})),
                    stored=dict(have.get(key, {})),
                )
        if repair:
            await ReportNow.delete().where(ReportNow.id.is_not_null())
            await store.write_expanded({}, Counter(), expected)


def nonzero(counts: Counter) -> Counter:
    """Without zero entries, keeping negative ones (``+counter`` would drop those too)."""
    return Counter({k: v for k, v in counts.items() if v})


async def recent_runs(limit: int = 30) -> list[dict]:
    return await (
        ReconciliationRun.select()
        .order_by(ReconciliationRun.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
