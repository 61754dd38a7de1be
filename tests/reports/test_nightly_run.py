"""The nightly reconciliation runs once at a time: a slow live run (its heartbeat going)
is never started again, a run whose worker died is redone within minutes (its heartbeat
stopped), one the worker's time limit interrupted is redone, and ticks racing each other
start it once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.cases import timing
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


async def heard_from(when: datetime, moment: datetime) -> None:
    """Wait until the live run of ``when``'s night beat its heartbeat at ``moment``."""
    for _ in range(500):
        (run,) = await runs_of(when)
        beat = run["heartbeat_at"]
        if beat is not None and (beat if beat.tzinfo else beat.replace(tzinfo=UTC)) >= moment:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no heartbeat at {moment}")


async def test_a_live_run_is_not_started_again_and_one_interrupted_is_redone(site, monkeypatch):
    start = night(3)
    clock = {"now": start}
    monkeypatch.setattr(timing, "utcnow", lambda: clock["now"])
    monkeypatch.setattr(reconcile, "HEARTBEAT", timedelta(milliseconds=10))  # of real time
    started, _ = blocking_first_run(monkeypatch)
    first = asyncio.create_task(periodic.run(start))
    await started.wait()
    # Every tick while the worker runs it — hours, its heartbeat going — leaves it alone.
    tick = start + TICK
    while tick < start + periodic.TICK_TIME_LIMIT:
        clock["now"] = tick
        await heard_from(start, tick)
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


async def dead_run(start: datetime, heard: datetime | None = None) -> None:
    """A worker killed mid-run leaves its run started, never finished, heard from no more."""
    await ReconciliationRun.insert(
        ReconciliationRun(
            run_on=(start + timedelta(hours=8)).date(), started_at=start, heartbeat_at=heard
        )
    )


async def test_a_run_whose_worker_died_is_redone_within_minutes(site):
    start = night(4)
    await dead_run(start, heard=start + timedelta(minutes=1))
    assert "reconciled" not in await periodic.run(start + timedelta(minutes=3))  # may be alive
    # The next tick of the reports (every ten minutes) takes it over: not hours later.
    assert "reconciled" in await periodic.run(start + TICK)
    assert "reconciled" not in await periodic.run(start + 2 * TICK)
    assert len(await runs_of(start)) == 2


async def test_a_run_heard_from_lately_is_left_alone_however_long_it_runs(site):
    start = night(6)
    beat = start + timedelta(hours=3, minutes=50)
    await dead_run(start, heard=beat)
    assert "reconciled" not in await periodic.run(beat + timedelta(minutes=2))
    assert "reconciled" in await periodic.run(beat + periodic.STALE_RUN)
    assert len(await runs_of(start)) == 2


async def test_a_run_recorded_without_a_heartbeat_is_judged_by_its_start(site):
    start = night(7)  # a run of the version before heartbeats, whose worker died
    await dead_run(start)
    assert "reconciled" not in await periodic.run(start + timedelta(minutes=1))
    assert "reconciled" in await periodic.run(start + TICK)


async def test_ticks_at_the_same_time_start_one_run(site):
    start = night(5)
    # A retried tick and the next slot's tick, delivered together.
    done = await asyncio.gather(*(periodic.run(start + timedelta(seconds=s)) for s in (0, 1, 2)))
    assert sum("reconciled" in d for d in done) == 1
    assert len(await runs_of(start)) == 1


async def test_workers_finding_a_dead_run_at_the_same_time_take_it_over_once(site):
    start = night(8)
    await dead_run(start, heard=start)
    later = start + TICK
    done = await asyncio.gather(*(periodic.run(later + timedelta(seconds=s)) for s in (0, 1, 2)))
    assert sum("reconciled" in d for d in done) == 1
    assert len(await runs_of(start)) == 2


def test_a_live_run_beats_often_enough_not_to_be_taken_for_dead():
    from core.reports.actors import reports_tick

    limit = timedelta(milliseconds=reports_tick.options["time_limit"])
    assert limit == periodic.TICK_TIME_LIMIT
    # A few beats lost (a busy database) are not death; a dead run waits one tick at most.
    assert 3 * reconcile.HEARTBEAT <= periodic.STALE_RUN <= timedelta(seconds=600)


async def taken_over_while_stalled(start: datetime, clock: dict, monkeypatch) -> tuple:
    """The first run stalls in its cases (the database not answering) past STALE_RUN, its
    heartbeat silent; the next tick takes it over. Then the first one goes on.
    Returns what each tick did (the second: its exception, if it raised)."""
    started, release = blocking_first_run(monkeypatch)
    first = asyncio.create_task(periodic.run(start))
    await started.wait()
    clock["now"] = start + TICK  # ten minutes without a beat: taken for dead
    try:
        second = await periodic.run(start + TICK)
    except Exception as exc:
        second = exc
    release.set()  # the database answers again: the first run goes on
    return await first, second


async def test_a_stalled_run_taken_over_stops_and_is_recorded_superseded(site, monkeypatch):
    start = night(9)
    clock = {"now": start}
    monkeypatch.setattr(timing, "utcnow", lambda: clock["now"])
    checked_by_day: list = []
    real_day = reconcile.check_day

    async def check_day(day, outcome, **kwargs):
        checked_by_day.append(day)
        return await real_day(day, outcome, **kwargs)

    monkeypatch.setattr(reconcile, "check_day", check_day)
    first, second = await taken_over_while_stalled(start, clock, monkeypatch)
    assert "reconciled" in second
    days = len(checked_by_day)
    assert days == periodic.schedule().window_days
    old, new = sorted(await runs_of(start), key=lambda run: run["id"])
    # The first run noticed, and stopped before checking or repairing anything more.
    assert first == {"superseded": new["id"]}
    assert len(checked_by_day) == days, "the superseded run went on repairing days"
    assert old["superseded_by"] == new["id"] and old["finished_at"] is not None
    assert old["error"] == "" and old["days_checked"] == 0 and old["cases_checked"] == 0
    assert new["superseded_by"] is None and new["error"] == ""
    assert new["days_checked"] == days
    # The night is done (by the second run): later ticks start nothing.
    assert "reconciled" not in await periodic.run(start + 2 * TICK)
    assert len(await runs_of(start)) == 2


async def test_a_superseded_run_does_not_count_as_the_night_done(site, monkeypatch):
    start = night(10)
    clock = {"now": start}
    monkeypatch.setattr(timing, "utcnow", lambda: clock["now"])
    real_gauges = reconcile.check_gauges
    failing = {"left": 1}

    async def check_gauges(outcome, **kwargs):
        if failing["left"]:
            failing["left"] -= 1
            raise ConnectionError("database went away")
        return await real_gauges(outcome, **kwargs)

    monkeypatch.setattr(reconcile, "check_gauges", check_gauges)
    first, second = await taken_over_while_stalled(start, clock, monkeypatch)
    assert isinstance(second, ConnectionError)  # the run taking over failed (retried)
    old, failed = sorted(await runs_of(start), key=lambda run: run["id"])
    assert failed["error"] and failed["finished_at"] is not None
    # The first run, superseded, stopped with no error: it does not count as a failure ...
    assert first == {"superseded": failed["id"]}
    assert old["superseded_by"] == failed["id"] and old["error"] == ""
    assert old["finished_at"] is not None and old["days_checked"] == 0
    # ... and neither it nor the failed run stands for the night: the next tick reconciles.
    assert "reconciled" in await periodic.run(start + 2 * TICK)
    assert len(await runs_of(start)) == 3
