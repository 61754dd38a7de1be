"""What the worker's periodic tick does for reports: the nightly reconciliation and,
on the first working day of a month, the townships' monthly reports.

The scheduler (:mod:`core.jobs.scheduler`) queues ``reports_tick`` every ten
minutes, once per slot however many workers tick. Each run decides from the
site-local time what is due, and everything it does is idempotent: a
reconciliation runs once a night (a run whose worker died is taken over within
minutes, one that failed is done again by the retried tick, up to three times a
night), and a month is compiled for the townships that do not have it yet.

A nightly run is never started twice at once: each attempt of the night is
claimed in the jobs ledger in the transaction that records its run, so ticks
racing each other (a retry and the next slot, several workers) start it once;
and a live run touches its ``heartbeat_at`` every ``reconcile.HEARTBEAT``, so
an unfinished run not heard from for ``STALE_RUN`` (a few beats) lost its
worker (a kill -9, a machine gone) and is taken over. If it was only stalled
(the database away for minutes) and goes on, it sees it was taken over
(``superseded_by``) before its next batch and stops, recorded as superseded:
not a failure, so not retried; the run that took over does the night's work.
A live run past the tick's time limit (``TICK_TIME_LIMIT``) is interrupted by
the worker and recorded as failed.

A unit moved in the tree (``unit.move`` in the admin log) takes its cases to
another township: their ``scope_path`` changes at once, but no case event tells
the aggregates, which would go on counting them — and listing them as overdue —
at the old place until the night. Each tick recounts the cases of units moved
lately (:func:`recount_moved`), so the figures follow within minutes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.cases import timing
from core.cases.tables import Case
from core.deadlines.site_calendar import site_calendar
from core.jobs.tables import ProcessedMessage
from core.reports import monthly, reconcile
from core.reports.counting import count_case
from core.reports.periods import first_working_day, month_start, previous_month
from core.reports.tables import ReconciliationRun
from core.settings import get_settings
from core.tenancy.scope import under
from core.tenancy.tables import AdminEvent, Unit

log = logging.getLogger("tongban.reports")

TICK_TIME_LIMIT = timedelta(hours=4)  # the reports tick's Dramatiq time limit (actors)
# An unfinished run whose heartbeat is older than this lost its worker; a live one beats
# every reconcile.HEARTBEAT, with room for a few beats lost to a busy database.
STALE_RUN = 5 * reconcile.HEARTBEAT
FAILED_RUNS_A_NIGHT = 3  # a reconciliation that keeps failing is left to the next night
# Moves older than this were caught up by the ticks since (or the nightly reconciliation).
MOVES_LOOKBACK = timedelta(days=2)


@dataclass(frozen=True)
class Schedule:
    nightly_hour: int = 1  # the reconciliation runs from this site-local hour on
    window_days: int = 35  # past days whose rows it checks
    compile_hour: int = 2  # monthly reports are compiled from this hour on the 1st working day


def schedule() -> Schedule:
    raw = get_settings().site.get("reports", {})
    return Schedule(
        nightly_hour=int(raw.get("nightly_hour", 1)),
        window_days=int(raw.get("reconcile_days", 35)),
        compile_hour=int(raw.get("compile_hour", 2)),
    )


async def reconciliation_due(local: datetime, now: datetime) -> str | None:
    """The ledger key claiming tonight's next attempt, or None when none is due."""
    if local.hour < schedule().nightly_hour:
        return None
    runs = await ReconciliationRun.select(
        ReconciliationRun.started_at,
        ReconciliationRun.heartbeat_at,
        ReconciliationRun.finished_at,
        ReconciliationRun.error,
        ReconciliationRun.superseded_by,
    ).where((ReconciliationRun.run_on == local.date()) & (ReconciliationRun.trigger == "nightly"))
    failed = 0
    for run in runs:
        if run["superseded_by"] is not None:
            continue  # taken over: the run that took over answers for it
        # Runs recorded before heartbeats were: their start.
        beat = run["heartbeat_at"] or run["started_at"]
        beat = beat if beat.tzinfo else beat.replace(tzinfo=now.tzinfo)
        if run["finished_at"] is None and now - beat < STALE_RUN:
            return None  # still running: heard from lately
        if run["finished_at"] is not None and not run["error"]:
            return None  # done for tonight
        # A run that raised (recorded, then re-raised for the retry) has not reconciled.
        failed += run["error"] != ""
    if failed >= FAILED_RUNS_A_NIGHT:
        return None
    # "periodic:" keys are pruned by the scheduler after a day, when this night is over.
    return f"periodic:reconcile:{local.date().isoformat()}:{len(runs)}"


async def recount_moved(now: datetime) -> int:
    """Count again the cases of every unit moved lately and not caught up yet; returns
    how many cases were counted.

    A move is done once all its cases are counted: then its key goes into the jobs
    ledger. A tick that dies half-way leaves the key out and the next one starts the
    move again, which is harmless — counting a case again only adds a difference.
    """
    moves = await (
        AdminEvent.select(AdminEvent.id, AdminEvent.unit)
        .where((AdminEvent.action == "unit.move") & (AdminEvent.at >= now - MOVES_LOOKBACK))
        .order_by(AdminEvent.id)
    )
    if not moves:
        return 0
    keys = {move["id"]: f"reports:moved:{move['id']}" for move in moves}
    done = {
        row["key"]
        for row in await ProcessedMessage.select(ProcessedMessage.key).where(
            ProcessedMessage.key.is_in(sorted(keys.values()))
        )
    }
    counted = 0
    for move in moves:
        if keys[move["id"]] in done or move["unit"] is None:
            continue
        unit = await Unit.select(Unit.path).where(Unit.id == move["unit"]).first()
        if unit is not None:
            # Where the unit is now: a later move of the same unit is caught up here too.
            cases = await Case.select(Case.id).where(under(Case.scope_path, unit["path"]))
            for case in cases:
                await count_case(case["id"], force=True)
            counted += len(cases)
        await ProcessedMessage.insert(
            ProcessedMessage(key=keys[move["id"]], processed_at=now)
        ).on_conflict(target=ProcessedMessage.key, action="DO NOTHING")
    return counted


async def run(now: datetime | None = None) -> dict:
    """Do whatever is due at ``now``; returns what was done (for the log and the tests)."""
    now = now or timing.utcnow()
    local = now.astimezone(ZoneInfo(get_settings().timezone))
    done: dict = {}
    claim = await reconciliation_due(local, now)
    if claim is not None:
        run_id, outcome = await reconcile.reconcile(
            days=schedule().window_days, trigger="nightly", now=now, claim=claim
        )
        # run_id None: a tick racing this one claimed the attempt first.
        if run_id is not None and outcome.superseded_by is not None:
            done["superseded"] = outcome.superseded_by  # stalled, taken over: stopped
        elif run_id is not None:
            done["reconciled"] = outcome
    moved = await recount_moved(now)
    if moved:
        done["moved"] = moved
    calendar = await site_calendar()
    today = local.date()
    if today >= first_working_day(month_start(today), calendar) and (
        local.hour >= schedule().compile_hour
        or today > first_working_day(month_start(today), calendar)
    ):
        created = await monthly.compile_month(previous_month(today), now=now)
        if created:
            log.info("compiled %s monthly reports for %s", created, previous_month(today))
            done["compiled"] = created
    return done
