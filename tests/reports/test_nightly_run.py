"""The nightly reconciliation runs once at a time: a slow live run is never started
again, a run whose worker died (or that the worker's time limit interrupted) is redone
the same night, and ticks racing each other start it once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.reports import periodic, reconcile
from core.reports.tables import ReconciliationRun

TICK = timedelta(minutes=10)  # the scheduler queues the reports' tick this often


def night(day: int) -> datetime:
    """01:00 in Shanghai (the nightly hour) on ``day`` March 2027: nights no other test uses."""
    return datetime(2027, 3, day, 1, 0, tzinfo=UTC) - timedelta(hours=8)


async def runs_of(when: datetime) -> list[dict]:
    return await ReconciliationRun.select().where(
        (ReconciliationRun.run_on == (when + timedelta(hours=8)).date())
        & (ReconciliationRun.trigger == "nightly")
    )


def blocking_first_run(monkeypatch) -> tuple[asyncio.Event, asyncio.Event]:
    """The first reconciliation waits (a large city, a slow disk) until released."""
    started, release = asyncio.Event(), asyncio.Event()
    real = reconcile.check_cases

    async def slow(outcome, **kwargs):
        if not started.is_set():
            started.set()
            await release.wait()
        return await real(outcome, **kwargs)

    monkeypatch.setattr(reconcile, "check_cases", slow)
    return started, release


async def test_a_live_run_is_not_started_again_and_one_interrupted_is_redone(site, monkeypatch):
    start = night(3)
    started, _ = blocking_first_run(monkeypatch)
    first = asyncio.create_task(periodic.run(start))
    await started.wait()
    # Every tick while the worker may still be running it leaves it alone.
    tick = start + TICK
    while tick < start + periodic.TICK_TIME_LIMIT:
        assert "reconciled" not in await periodic.run(tick), tick
        tick += TICK
    assert len(await runs_of(start)) == 1
    # The worker's time limit interrupts it (Dramatiq cancels the coroutine) ...
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    (interrupted,) = await runs_of(start)
    assert interrupted["finished_at"] is not None and "CancelledError" in interrupted["error"]
    # ... and, not having reconciled, it is done again by the next tick.
    assert "reconciled" in await periodic.run(start + periodic.TICK_TIME_LIMIT + TICK)
    assert "reconciled" not in await periodic.run(start + periodic.TICK_TIME_LIMIT + 2 * TICK)


async def test_a_run_whose_worker_died_is_redone_the_same_night(site):
    start = night(4)
    # A worker killed mid-run leaves its run started and never finished.
    await ReconciliationRun.insert(
        ReconciliationRun(run_on=(start + timedelta(hours=8)).date(), started_at=start)
    )
    for after in (TICK, timedelta(hours=3, minutes=10), periodic.TICK_TIME_LIMIT):
        assert "reconciled" not in await periodic.run(start + after)
    assert "reconciled" in await periodic.run(start + periodic.STALE_RUN)
    assert (start + periodic.STALE_RUN + timedelta(hours=8)).date() == (
        start + timedelta(hours=8)
    ).date()  # still the same night
    assert len(await runs_of(start)) == 2


async def test_ticks_at_the_same_time_start_one_run(site):
    start = night(5)
    # A retried tick and the next slot's tick, delivered together.
    done = await asyncio.gather(*(periodic.run(start + timedelta(seconds=s)) for s in (0, 1, 2)))
    assert sum("reconciled" in d for d in done) == 1
    assert len(await runs_of(start)) == 1


def test_a_run_is_taken_for_dead_only_after_the_worker_would_have_stopped_it():
    from core.reports.actors import reports_tick

    limit = timedelta(milliseconds=reports_tick.options["time_limit"])
    assert limit == periodic.TICK_TIME_LIMIT < periodic.STALE_RUN
