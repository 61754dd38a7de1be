"""Two deadline sweeps at once (a slot redelivered while it still runs, or one sweep
outlasting its minute) change a step's light once: one event, one escalation.

The race: the late sweeper reads the open task, the other one commits the task's
light change, and only then does the late one read the case — whose event
counter is by then current, so the event chain's optimistic check lets the
late sweeper write the same change again.
"""

from __future__ import annotations

import asyncio
import contextlib

from core.cases import sweep
from core.cases.tables import Case, CaseEvent, Escalation, Task
from core.deadlines.site_calendar import site_calendar
from tests.cases.world import SIMPLE, local

LATE = "late sweeper"


class CaseReadLate:
    """``Case`` for the sweep module: the late sweeper reads a case only once the other
    sweeper has committed (or, when it cannot, after a short wait)."""

    def __init__(self, reading: asyncio.Event, committed: asyncio.Event):
        self.reading, self.committed = reading, committed

    def __getattr__(self, name):
        return getattr(Case, name)

    def select(self, *columns):
        query = Case.select(*columns)
        if asyncio.current_task().get_name() != LATE:
            return query
        return GatedQuery(query, self)


class GatedQuery:
    def __init__(self, query, gate: CaseReadLate):
        self.query, self.gate = query, gate

    def where(self, *conditions):
        self.query = self.query.where(*conditions)
        return self

    def first(self):
        self.query = self.query.first()
        return self

    def __await__(self):
        return self._run().__await__()

    async def _run(self):
        self.gate.reading.set()
        # The other sweeper may be waiting for us (a row lock): then go on alone.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.gate.committed.wait(), timeout=3)
        return await self.query


async def test_two_sweepers_racing_on_a_task_change_its_light_once(world, clock, monkeypatch):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    task = (
        await Task.select(Task.id).where((Task.case == case["id"]) & (Task.state == "open")).first()
    )
    now = local(2026, 12, 1, 9)  # the review step is long overdue
    calendar = await site_calendar()
    reading, committed = asyncio.Event(), asyncio.Event()
    monkeypatch.setattr(sweep, "Case", CaseReadLate(reading, committed))
    report = sweep.SweepReport()

    async def first_sweeper():
        await reading.wait()  # the late one has read the task as it was
        await sweep._guarded(report, sweep._sweep_task(task["id"], now, calendar, report))
        committed.set()

    late = asyncio.create_task(
        sweep._guarded(report, sweep._sweep_task(task["id"], now, calendar, report)), name=LATE
    )
    await asyncio.gather(first_sweeper(), late)

    step_lights = await CaseEvent.count().where(
        (CaseEvent.case == case["id"]) & (CaseEvent.kind == "step_light")
    )
    assert step_lights == 1
    assert report.step_lights == 1
    assert (
        await Escalation.count().where(
            (Escalation.case == case["id"]) & (Escalation.cause == "step_overdue")
        )
        == 1
    )
