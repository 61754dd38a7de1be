"""Wiring the deadline clocks into cases and tasks.

A case's clock runs against the item's committed limit from the working day
after acceptance; a task's clock runs against its step's ``days`` from the
working day after the step opened (the accept step's from filing). Both stop
during the case's pauses (supplement, suspension), which are rows of
:class:`~core.cases.tables.CasePause`.

What is stored per case and task is the result: ``due_on``, ``light`` and
``light_changes_at`` — the next moment the light would change if nothing
else happened (:func:`core.deadlines.lights.next_change`). Whoever changes a
clock (a pause, a resumption, a decision, a calendar override) calls
:func:`refresh_case` / :func:`refresh_tasks`; the sweep only looks at rows
whose ``light_changes_at`` has passed, through an index.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from core.cases.states import CLOCK_STATES
from core.cases.tables import Case, CasePause, Escalation, Task
from core.deadlines.calendar import WorkingCalendar
from core.deadlines.clock import Clock, Pause
from core.deadlines.lights import Light, light_for, next_change
from core.deadlines.site_calendar import site_calendar, yellow_share


def utcnow() -> datetime:
    """The one place case handling reads the time from (tests move it)."""
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive UTC timestamps; PostgreSQL aware ones.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def pauses_of(case_ids: list[int]) -> dict[int, list[Pause]]:
    """Every pause of these cases, for their clocks."""
    found: dict[int, list[Pause]] = defaultdict(list)
    if not case_ids:
        return found
    rows = await CasePause.select(
        CasePause.case, CasePause.kind, CasePause.started_at, CasePause.ended_at
    ).where(CasePause.case.is_in(case_ids))
    for row in rows:
        found[row["case"]].append(
            Pause(
                aware(row["started_at"]),
                aware(row["ended_at"]) if row["ended_at"] else None,
                "suspended" if row["kind"] == "suspended" else "supplement",
            )
        )
    return found


def case_clock(case: dict, pauses: list[Pause], calendar: WorkingCalendar) -> Clock | None:
    """The clock of an accepted case; None before acceptance."""
    if not case.get("accepted_at"):
        return None
    return Clock(aware(case["accepted_at"]), case["limit_days"], calendar, tuple(pauses))


def task_clock(task: dict, pauses: list[Pause], calendar: WorkingCalendar) -> Clock | None:
    """The clock of a step with its own limit; None when the step has none."""
    if task.get("days") is None:
        return None
    return Clock(aware(task["created_at"]), task["days"], calendar, tuple(pauses))


def evaluate(clock: Clock, stored_light: str, now: datetime) -> dict:
    """Light, due date and next change of a running clock, as stored columns.

    A light never set yet (``""``) takes its current value without an event;
    a stored light that is out of date keeps its value and gets
    ``light_changes_at = now``, so the sweep records the change as an event.
    """
    share = yellow_share()
    state = clock.state(now)
    actual = light_for(state.share_used, overdue=state.overdue, yellow_share=share)
    light = stored_light or actual.value
    return {
        "due_on": state.due_date,
        "light": light,
        "light_changes_at": next_change(Light(light), clock, now, share),
    }


async def case_deadline(case: dict, now: datetime) -> dict:
    """The deadline columns of a case as they should be at ``now``."""
    if case["state"] not in CLOCK_STATES or not case.get("accepted_at"):
        return {"light_changes_at": None}
    calendar = await site_calendar()
    pauses = (await pauses_of([case["id"]]))[case["id"]]
    clock = case_clock(case, pauses, calendar)
    return evaluate(clock, case.get("light") or "", now)


async def refresh_tasks(case_id: int, now: datetime) -> None:
    """Recompute the lights of the case's open tasks (after a pause, a resumption …)."""
    tasks = await Task.select(Task.id, Task.days, Task.created_at, Task.light, Task.due_on).where(
        (Task.case == case_id) & (Task.state == "open")
    )
    if not tasks:
        return
    calendar = await site_calendar()
    pauses = (await pauses_of([case_id]))[case_id]
    for task in tasks:
        clock = task_clock(task, pauses, calendar)
        if clock is None:
            continue
        columns = evaluate(clock, task["light"], now)
        await Task.update(
            {
                Task.due_on: columns["due_on"],
                Task.light: columns["light"],
                Task.light_changes_at: columns["light_changes_at"],
            }
        ).where(Task.id == task["id"])


async def new_task_deadline(days: int | None, now: datetime) -> dict:
    """The deadline columns of a task opening now (no pause can precede it)."""
    if days is None:
        return {"days": None, "due_on": None, "light": "", "light_changes_at": None}
    calendar = await site_calendar()
    clock = Clock(now, days, calendar)
    return {"days": days, **evaluate(clock, "", now)}


async def open_pause(case_id: int, kind: str, now: datetime, procedure: str = "") -> None:
    await CasePause.insert(CasePause(case=case_id, kind=kind, started_at=now, procedure=procedure))


async def close_pauses(case_id: int, now: datetime) -> None:
    await CasePause.update({CasePause.ended_at: now}).where(
        (CasePause.case == case_id) & CasePause.ended_at.is_null()
    )


async def stop_clocks(case_id: int, now: datetime | None = None) -> None:
    """A decided, refused or withdrawn case: nothing of it changes light any more,
    and its escalations are settled."""
    await Case.update({Case.light_changes_at: None}).where(Case.id == case_id)
    await Task.update({Task.light_changes_at: None}).where(
        (Task.case == case_id) & (Task.state == "open")
    )
    await Escalation.update({Escalation.resolved_at: now or utcnow()}).where(
        (Escalation.case == case_id) & Escalation.resolved_at.is_null()
    )


async def recompute_all(now: datetime | None = None, batch: int = 500) -> int:
    """After a calendar change: recompute every running case and every open task with a
    clock of its own. Returns the rows changed.

    Batches of rows are read by id and written in one transaction each; a row
    whose due date and next change stay the same is not written at all.
    """
    from core.db import transaction

    now = now or utcnow()
    calendar = await site_calendar()
    changed = 0
    last = 0
    while True:
        cases = await (
            Case.select(
                Case.id,
                Case.state,
                Case.accepted_at,
                Case.limit_days,
                Case.light,
                Case.due_on,
                Case.light_changes_at,
                Case.event_count,
            )
            .where((Case.id > last) & Case.state.is_in(list(CLOCK_STATES)))
            .order_by(Case.id)
            .limit(batch)
        )
        if not cases:
            break
        last = cases[-1]["id"]
        pauses = await pauses_of([c["id"] for c in cases])
        async with transaction():
            for case in cases:
                clock = case_clock(case, pauses[case["id"]], calendar)
                if clock is None:
                    continue
                columns = evaluate(clock, case["light"], now)
                if _same(case, columns):
                    continue
                changed += 1
                await Case.update(
                    {
                        Case.due_on: columns["due_on"],
                        Case.light_changes_at: columns["light_changes_at"],
                    }
                ).where((Case.id == case["id"]) & (Case.event_count == case["event_count"]))
    last = 0
    while True:
        tasks = await (
            Task.select(
                Task.id,
                Task.case,
                Task.days,
                Task.created_at,
                Task.light,
                Task.due_on,
                Task.light_changes_at,
            )
            .where((Task.id > last) & (Task.state == "open") & Task.days.is_not_null())
            .order_by(Task.id)
            .limit(batch)
        )
        if not tasks:
            break
        last = tasks[-1]["id"]
        pauses = await pauses_of(sorted({t["case"] for t in tasks}))
        async with transaction():
            for task in tasks:
                columns = evaluate(
                    task_clock(task, pauses[task["case"]], calendar), task["light"], now
                )
                if _same(task, columns):
                    continue
                changed += 1
                await Task.update(
                    {
                        Task.due_on: columns["due_on"],
                        Task.light_changes_at: columns["light_changes_at"],
                    }
                ).where(Task.id == task["id"])
    return changed


def _same(row: dict, columns: dict) -> bool:
    stored = row["light_changes_at"]
    wanted = columns["light_changes_at"]
    if (stored is None) != (wanted is None):
        return False
    return row["due_on"] == columns["due_on"] and (stored is None or aware(stored) == wanted)
