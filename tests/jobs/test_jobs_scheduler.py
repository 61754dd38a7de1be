"""The periodic sweep: queued once per minute through the outbox, run by the worker."""

from __future__ import annotations

import datetime as dt

import pytest

from core import hookimpl
from core.cases.tables import Case, Escalation
from core.jobs import scheduler
from core.jobs.tables import OutboxMessage
from core.plugins import PluginError, make_plugin_manager
from tests.cases.world import SIMPLE, local
from tests.helpers import drain


async def queued_sweeps(slot: int) -> int:
    rows = (
        await OutboxMessage.select(OutboxMessage.payload)
        .where(OutboxMessage.actor == "sweep_deadlines")
        .output(load_json=True)
    )
    return sum(1 for r in rows if r["payload"].get("slot") == slot)


async def test_each_minute_is_queued_once_however_many_workers_tick(world):
    moment = dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=dt.UTC)
    slot = int(moment.timestamp()) // 60
    assert "sweep_deadlines" in await scheduler.tick(moment)
    # Other workers tick in the same minute: nothing more is queued.
    assert "sweep_deadlines" not in await scheduler.tick(moment + dt.timedelta(seconds=30))
    assert await queued_sweeps(slot) == 1
    assert "sweep_deadlines" in await scheduler.tick(moment + dt.timedelta(minutes=1))
    assert await queued_sweeps(slot + 1) == 1


async def test_the_worker_runs_the_queued_sweep(world, clock, jobs):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    clock.now = None  # the worker sweeps at the real time, weeks later
    assert "sweep_deadlines" in await scheduler.tick(dt.datetime(2032, 1, 1, tzinfo=dt.UTC))
    await drain(jobs)
    row = await Case.select(Case.light).where(Case.id == case["id"]).first()
    assert row["light"] == "red"  # overdue by now: the worker's sweep recorded it
    assert await Escalation.count().where(Escalation.case == case["id"]) == 2


# -- tongban_periodic_jobs: modules register their periodic jobs through the plugins --


class Forestry:
    """A plugin with a periodic job of its own."""

    @hookimpl
    def tongban_periodic_jobs(self):
        return [("forestry_sync_all", 3600)]


def test_the_core_registers_its_periodic_jobs_through_the_hook():
    jobs = scheduler.periodic_jobs()
    assert jobs["sweep_deadlines"] == 60  # core.deadlines
    assert jobs["reports_tick"] == 600  # core.reports
    assert not hasattr(scheduler, "PERIODIC")  # no list to append to at import any more


async def test_a_plugins_periodic_job_is_queued_once_per_slot(world):
    pm = make_plugin_manager(only=set(), extra=[("forestry", Forestry())])
    jobs = scheduler.periodic_jobs(pm)
    assert jobs["forestry_sync_all"] == 3600 and jobs["sweep_deadlines"] == 60
    moment = dt.datetime(2031, 5, 6, 7, 0, 1, tzinfo=dt.UTC)
    assert "forestry_sync_all" in await scheduler.tick(moment, jobs=jobs)
    # Half an hour later the hour's slot is taken; the minute's sweep is not.
    later = await scheduler.tick(moment + dt.timedelta(minutes=30), jobs=jobs)
    assert "forestry_sync_all" not in later and "sweep_deadlines" in later
    rows = (
        await OutboxMessage.select(OutboxMessage.payload)
        .where(OutboxMessage.actor == "forestry_sync_all")
        .output(load_json=True)
    )
    assert [r["payload"]["slot"] for r in rows] == [int(moment.timestamp()) // 3600]


@pytest.mark.parametrize(
    "entry, problem",
    [
        (("forestry_sync_all", 0), "positive whole number"),
        (("forestry_sync_all", "60"), "positive whole number"),
        (("", 60), "not an actor name"),
        ("forestry_sync_all", "not (actor name, seconds)"),
        (("sweep_deadlines", 30), "every 60 s"),
    ],
)
def test_a_bad_periodic_job_stops_the_scheduler_naming_the_plugin(entry, problem):
    class Careless:
        @hookimpl
        def tongban_periodic_jobs(self):
            return [entry]

    pm = make_plugin_manager(only=set(), extra=[("careless", Careless())])
    with pytest.raises(PluginError) as caught:
        scheduler.periodic_jobs(pm)
    # Named as the culprit, or (an actor declared twice) beside the other declarer.
    assert "'careless'" in str(caught.value) and problem in str(caught.value)


def test_a_periodic_job_naming_no_declared_actor_stops_start_up():
    """A misspelt actor would queue a message every slot that no worker takes."""
    from core.jobs.broker import broker

    class Misspelt:
        @hookimpl
        def tongban_periodic_jobs(self):
            return [("sweep_deadline", 60)]  # the core's is sweep_deadlines

    pm = make_plugin_manager(only=set(), extra=[("misspelt", Misspelt())])
    with pytest.raises(PluginError) as caught:
        scheduler.periodic_jobs(pm, actors=broker.actors)
    assert "'misspelt'" in str(caught.value) and "'sweep_deadline'" in str(caught.value)
    # The core's own jobs all name actors this process runs.
    assert scheduler.periodic_jobs(actors=broker.actors)
