"""The deadline sweep: record light changes, escalate red, close silent branches.

Only rows whose stored ``light_changes_at`` has passed are read, through its
index — the sweep's cost grows with the cases that change light, not with
all open cases (see ``bench/sweep.py``). Each case or task is handled in its
own transaction: its light event, its escalation and the outbox messages
announcing them commit together, and the row's next ``light_changes_at`` is
written with them. A sweep killed half-way leaves the rows it had not
committed as they were, so the next sweep does them — nothing lost, nothing
twice (a second sweeper racing on the same case loses on the event chain's
optimistic check and skips it; on the same task, it waits for the task's row
lock and then finds the row moved on).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from core.cases import flow, timing
from core.cases.escalation import escalate
from core.cases.events import ConcurrentChange
from core.cases.flow import Ctx, record
from core.cases.states import CLOCK_STATES, State
from core.cases.tables import Case, Task
from core.catalog.versions import item_for_version
from core.db import is_postgres, transaction
from core.deadlines.calendar import WorkingCalendar
from core.deadlines.lights import Light, light_for, next_change
from core.deadlines.site_calendar import site_calendar, yellow_share

log = logging.getLogger("tongban.sweep")


@dataclass
class SweepReport:
    cases_seen: int = 0
    case_lights: int = 0
    tasks_seen: int = 0
    step_lights: int = 0
    escalations: int = 0
    silent_consents: int = 0
    conflicts: int = 0


async def run_sweep(now: datetime | None = None, *, batch: int = 500) -> SweepReport:
    """One pass over every case and task whose light may have changed by ``now``."""
    now = now or timing.utcnow()
    report = SweepReport()
    calendar = await site_calendar()  # one calendar for the whole pass
    async for rows in _due_batches(Case, CASE_COLUMNS, now, batch):
        pauses = await timing.pauses_of([row["id"] for row in rows])
        for case in rows:
            report.cases_seen += 1
            await _guarded(report, _sweep_case(case, pauses[case["id"]], now, calendar, report))
    async for task_id in due_rows(Task, now, batch):
        report.tasks_seen += 1
        await _guarded(report, _sweep_task(task_id, now, calendar, report))
    return report


async def due_rows(table, now: datetime, batch: int = 500):
    """Ids of rows whose light may have changed by ``now``, in index order."""
    async for rows in _due_batches(table, (table.id,), now, batch):
        for row in rows:
            yield row["id"]


async def _due_batches(table, columns, now: datetime, batch: int):
    """Batches of rows whose light may have changed by ``now``, in index order.

    Keyset pagination on (light_changes_at, id) walks the index range once:
    rows handled meanwhile move out of the range, rows that could not be
    handled (a conflict) are not read again in this pass.
    """
    after: tuple[datetime, int] | None = None
    while True:
        where = table.light_changes_at <= now
        if after is not None:
            where = where & (
                (table.light_changes_at > after[0])
                | ((table.light_changes_at == after[0]) & (table.id > after[1]))
            )
        rows = await (
            table.select(*columns, table.id, table.light_changes_at)
            .where(where)
            .order_by(table.light_changes_at, table.id)
            .limit(batch)
        )
        if not rows:
            return
        # Taken before handing the rows out: handling them changes their values.
        after = (rows[-1]["light_changes_at"], rows[-1]["id"])
        yield rows
        if len(rows) < batch:
            return


async def _guarded(report: SweepReport, work) -> None:
    try:
        await work
    except ConcurrentChange:
        # Someone changed the case meanwhile (a clerk, another sweeper): their
        # change recomputed the clock, or the next sweep will.
        report.conflicts += 1


def _moved(stored: datetime | None, now: datetime) -> bool:
    """Another sweep (or a change) already moved this row past ``now``."""
    return stored is None or timing.aware(stored) > now


CASE_COLUMNS = (
    Case.state,
    Case.accepted_at,
    Case.limit_days,
    Case.light,
    Case.event_count,
    Case.last_event_hash,
    Case.accepting_unit,
    Case.current_step,
)


async def _sweep_case(
    case: dict, pauses: list, now: datetime, calendar: WorkingCalendar, report: SweepReport
) -> None:
    """One case read in its batch. Its writes are guarded by the event counter read
    with it: a case changed meanwhile (by a person, another sweeper) is left alone."""
    guard = (Case.id == case["id"]) & (Case.event_count == case["event_count"])
    if case["state"] not in CLOCK_STATES or not case["accepted_at"]:
        await Case.update({Case.light_changes_at: None}).where(guard)
        return
    clock = timing.case_clock(case, pauses, calendar)
    share = yellow_share()
    state = clock.state(now)
    light = light_for(state.share_used, overdue=state.overdue, yellow_share=share)
    columns = {
        "light": light.value,
        "due_on": state.due_date,
        "light_changes_at": next_change(light, clock, now, share),
    }
    if light.value == case["light"]:
        await Case.update(
            {Case.due_on: state.due_date, Case.light_changes_at: columns["light_changes_at"]}
        ).where(guard)
        return
    async with transaction():
        ctx = Ctx(principal=None, case=case, item=None, now=now)  # type: ignore[arg-type]
        await record(
            ctx,
            "light",
            unit_id=case["accepting_unit"],
            payload={
                "scope": "case",
                "light": light.value,
                "previous": case["light"],
                "due_on": state.due_date.isoformat(),
                "used_days": state.used_days,
                "limit_days": case["limit_days"],
            },
            updates=columns,
            by_system=True,
        )
        report.case_lights += 1
        if light is Light.RED:
            report.escalations += len(await escalate(ctx, "case_overdue"))


async def _sweep_task(
    task_id: int, now: datetime, calendar: WorkingCalendar, report: SweepReport
) -> None:
    async with transaction():
        task = await _locked_task(task_id)
        if task is None or task["state"] != "open" or _moved(task["light_changes_at"], now):
            return
        case = await Case.select().where(Case.id == task["case"]).first()
        pauses = (await timing.pauses_of([case["id"]]))[case["id"]]
        clock = timing.task_clock(task, pauses, calendar)
        if clock is None:
            await Task.update({Task.light_changes_at: None}).where(Task.id == task_id)
            return
        share = yellow_share()
        state = clock.state(now)
        light = light_for(state.share_used, overdue=state.overdue, yellow_share=share)
        item = await item_for_version(case["item_version"])
        ctx = Ctx(principal=None, case=case, item=item, now=now)
        step = item.workflow.step(task["step_id"])
        parent = item.workflow.parent_of(step.id)
        if (
            light is Light.RED
            and parent is not None
            and step.silence_is_consent
            and case["state"] == State.IN_REVIEW
        ):
            await _silent_consent(ctx, task, step, parent, state.due_date)
            report.silent_consents += 1
            return
        next_at = next_change(light, clock, now, share)
        if light.value == task["light"]:
            await Task.update({Task.due_on: state.due_date, Task.light_changes_at: next_at}).where(
                Task.id == task_id
            )
            return
        await Task.update(
            {Task.light: light.value, Task.due_on: state.due_date, Task.light_changes_at: next_at}
        ).where(Task.id == task_id)
        await record(
            ctx,
            "step_light",
            unit_id=task["unit"],
            payload={
                "scope": "step",
                "step": step.id,
                "task": task_id,
                "light": light.value,
                "previous": task["light"],
                "due_on": state.due_date.isoformat(),
            },
            by_system=True,
        )
        report.step_lights += 1
        if light is Light.RED:
            report.escalations += len(await escalate(ctx, "step_overdue", [task]))


async def _locked_task(task_id: int) -> dict | None:
    """The task, locked until the transaction ends. Its case is read after it, so without
    the lock a sweeper that read the task just before another committed would see the
    case's new event count, pass the event chain's check and change the light again.
    SQLite's write lock (an immediate transaction) already keeps sweepers apart."""
    query = Task.select().where(Task.id == task_id)
    if is_postgres():
        query = query.lock_rows()
    return await query.first()


async def _silent_consent(ctx: Ctx, task: dict, step, parent, due_on) -> None:
    """缺席默认: the branch did not answer by its deadline, so it counts as approved."""
    outcome = "approve" if step.kind == "decide" else "pass"
    await flow.finish_task(ctx, task, outcome, silent=True)
    await record(
        ctx,
        "silent_consent",
        unit_id=task["unit"],
        payload={
            "step": step.id,
            "branch_of": parent.id,
            "silence_is_consent": True,
            "deadline": due_on.isoformat(),
            "counted_as": "approved",
        },
        by_system=True,
    )
    if await flow.parallel_complete(ctx, parent, task["batch"]):
        await flow.join_parallel(ctx, parent, task["batch"], task["unit"])
