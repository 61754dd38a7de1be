"""The periodic sweep: queued once per minute through the outbox, run by the worker."""

from __future__ import annotations

import datetime as dt

from core.cases.tables import Case, Escalation
from core.jobs import scheduler
from core.jobs.tables import OutboxMessage
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
