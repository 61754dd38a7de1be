"""Time limits on real cases: the 2026 National Day schedule, make-up working days,
site overrides, lights per case and per step, and red escalating to the supervisor."""

from __future__ import annotations

import datetime as dt

import pytest

from core.cases import queries
from core.cases.sweep import run_sweep
from core.cases.tables import Case, CaseEvent, Escalation, Task
from core.cases.timing import recompute_all
from core.deadlines import site_calendar
from core.deadlines.calendar import DayOverride
from core.deadlines.tables import CalendarChange, CalendarOverride
from core.errors import PermissionDenied
from tests.cases.world import SHANGHAI, SIMPLE, local


@pytest.fixture
async def clean_calendar():
    """Each test starts and ends on the official schedule."""
    await CalendarOverride.delete(force=True)
    site_calendar.invalidate()
    yield
    await CalendarOverride.delete(force=True)
    await CalendarChange.insert(CalendarChange(day=dt.date(2000, 1, 1), action="reset"))
    site_calendar.invalidate()


async def accepted_on_30_september(world, clock) -> int:
    clock.set(local(2026, 9, 30, 16, 30))
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    return case["id"]


async def case_row(case_id: int) -> dict:
    return await Case.select().where(Case.id == case_id).first()


async def test_national_day_2026_five_working_days_from_30_september(world, clock, clean_calendar):
    cid = await accepted_on_30_september(world, clock)
    row = await case_row(cid)
    # 1-7 Oct off; counted: Thu 8, Fri 9, Sat 10 (make-up working day), Mon 12, Tue 13.
    assert row["due_on"] == dt.date(2026, 10, 13)
    assert row["limit_days"] == 5 and row["light"] == "green"
    # Yellow from the 4th day (0.8 × 5): Mon 12 Oct — Saturday 10 Oct counted.
    changes = row["light_changes_at"]
    changes = changes if changes.tzinfo else changes.replace(tzinfo=dt.UTC)
    assert changes.astimezone(SHANGHAI) == dt.datetime(2026, 10, 12, tzinfo=SHANGHAI)


async def test_a_city_admins_override_moves_the_deadline(world, clock, clean_calendar):
    cid = await accepted_on_30_september(world, clock)
    admin = await world.who_admin()
    await site_calendar.set_override(admin, dt.date(2026, 10, 12), "holiday", "市运动会")
    await recompute_all(clock())
    assert (await case_row(cid))["due_on"] == dt.date(2026, 10, 14)
    # The make-up Saturday turned into a holiday too: one more day later.
    await site_calendar.set_override(admin, dt.date(2026, 10, 10), "holiday")
    await recompute_all(clock())
    assert (await case_row(cid))["due_on"] == dt.date(2026, 10, 15)
    # Removing both restores the official schedule.
    for day in (dt.date(2026, 10, 10), dt.date(2026, 10, 12)):
        assert await site_calendar.remove_override(admin, day)
    await recompute_all(clock())
    assert (await case_row(cid))["due_on"] == dt.date(2026, 10, 13)
    log = await CalendarChange.select(CalendarChange.action, CalendarChange.changed_by_name).where(
        CalendarChange.day.is_in([dt.date(2026, 10, 10), dt.date(2026, 10, 12)])
    )
    assert sorted(r["action"] for r in log) == ["remove", "remove", "set", "set"]
    assert {r["changed_by_name"] for r in log} == {admin.display_name}


async def test_only_a_city_admin_may_change_the_calendar(world, clean_calendar):
    with pytest.raises(PermissionDenied):
        await site_calendar.set_override(await world.who("t_sup"), dt.date(2026, 12, 31), "holiday")
    assert not await CalendarOverride.exists().where(CalendarOverride.day == dt.date(2026, 12, 31))


async def test_site_toml_overrides_apply_and_the_admins_win(world, clean_calendar, monkeypatch):
    monkeypatch.setattr(
        site_calendar,
        "toml_overrides",
        lambda: {
            dt.date(2027, 2, 6): DayOverride("workday", "调休上班"),
            dt.date(2027, 2, 8): DayOverride("holiday", "春节"),
        },
    )
    site_calendar._cache.clear()
    calendar = await site_calendar.site_calendar()
    assert calendar.is_working_day(dt.date(2027, 2, 6))  # a Saturday
    assert not calendar.is_working_day(dt.date(2027, 2, 8))  # a Monday
    await site_calendar.set_override(await world.who_admin(), dt.date(2027, 2, 8), "workday")
    calendar = await site_calendar.site_calendar()
    assert calendar.is_working_day(dt.date(2027, 2, 8))
    listed = {o.day: (o.kind, o.source) for o in await site_calendar.list_overrides(2027)}
    assert listed == {
        dt.date(2027, 2, 6): ("workday", "site"),
        dt.date(2027, 2, 8): ("workday", "admin"),
    }


# -- lights and escalation ---------------------------------------------------------------


async def light_events(case_id: int) -> list[tuple[str, str]]:
    rows = (
        await CaseEvent.select(CaseEvent.kind, CaseEvent.payload)
        .where(
            (CaseEvent.case == case_id) & CaseEvent.kind.is_in(["light", "step_light", "escalate"])
        )
        .order_by(CaseEvent.seq)
        .output(load_json=True)
    )
    return [(r["kind"], r["payload"].get("light") or r["payload"].get("cause")) for r in rows]


async def test_lights_turn_yellow_then_red_and_red_escalates_to_the_supervisor(
    world, clock, clean_calendar
):
    # Accepted Mon 2 Nov 2026: due Mon 9 Nov; the review step (2 days) due Wed 4 Nov.
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    cid = case["id"]
    await world.act("t_clerk", cid, "accept")
    review = await Task.select().where((Task.case == cid) & (Task.step_id == "review")).first()
    assert review["due_on"] == dt.date(2026, 11, 4) and review["light"] == "green"

    await run_sweep(local(2026, 11, 3, 8))  # day 1 of 2: still green (0.5 < 0.8)
    assert await light_events(cid) == []
    await run_sweep(local(2026, 11, 4, 8))  # day 2 of 2 for the step
    assert await light_events(cid) == [("step_light", "yellow")]
    await run_sweep(local(2026, 11, 5, 8))  # the step is overdue: red, escalated
    assert await light_events(cid) == [
        ("step_light", "yellow"),
        ("step_light", "red"),
        ("escalate", "step_overdue"),
    ]
    await run_sweep(local(2026, 11, 6, 8))  # the case: day 4 of 5 → yellow
    await run_sweep(local(2026, 11, 10, 8))  # past Mon 9 Nov → red, escalated again
    assert await light_events(cid) == [
        ("step_light", "yellow"),
        ("step_light", "red"),
        ("escalate", "step_overdue"),
        ("light", "yellow"),
        ("light", "red"),
        ("escalate", "case_overdue"),
    ]
    row = await case_row(cid)
    assert row["light"] == "red" and row["light_changes_at"] is None  # red is final

    # The supervisor of the district (at or above the office) sees it on their desk.
    escalations = await queries.escalations_for(await world.who("t_sup"))
    mine = [e for e in escalations if e["case.id"] == cid]
    assert {e["cause"] for e in mine} == {"step_overdue", "case_overdue"}
    assert all(e["unit.name"] == "綦江区测试甲局" for e in mine)
    # The office's own staff are not supervisors of it.
    assert await queries.escalations_for(await world.who("t_rev_a")) == []

    # Sweeping again changes nothing and escalates nothing twice.
    report = await run_sweep(local(2026, 11, 11, 8))
    assert report.escalations == 0
    assert await Escalation.count().where(Escalation.case == cid) == 2

    # Deciding the case settles its escalations.
    await world.act("t_rev_a", cid, "deny", reason="超期后审查不通过")
    assert await queries.escalations_for(await world.who("t_sup")) == [
        e for e in await queries.escalations_for(await world.who("t_sup")) if e["case.id"] != cid
    ]


async def test_the_sweep_reads_only_rows_whose_light_may_change(world, clock, clean_calendar):
    clock.set(local(2026, 11, 2, 9))
    for _ in range(3):
        case = await world.file(SIMPLE)
        await world.act("t_clerk", case["id"], "accept")
    # Nothing is due to change on the day of acceptance itself.
    report = await run_sweep(local(2026, 11, 2, 18))
    assert report.cases_seen == 0


async def test_a_paused_case_keeps_its_light(world, clock, clean_calendar):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    cid = case["id"]
    await world.act("t_clerk", cid, "accept")
    await world.act("t_rev_a", cid, "request_supplement", materials=["photo"])
    await run_sweep(local(2026, 11, 20, 8))  # long after every deadline of this case
    assert await light_events(cid) == []
    assert (await case_row(cid))["light"] == "green"


async def test_the_sweep_handles_every_due_row_across_batches(world, clock, clean_calendar):
    clock.set(local(2026, 11, 2, 9))
    ids = []
    for _ in range(5):
        case = await world.file(SIMPLE)
        await world.act("t_clerk", case["id"], "accept")
        ids.append(case["id"])
    report = await run_sweep(local(2026, 11, 6, 8), batch=2)  # day 4 of 5: all turn yellow
    assert report.case_lights >= 5
    rows = await Case.select(Case.light).where(Case.id.is_in(ids))
    assert {r["light"] for r in rows} == {"yellow"}


async def test_a_calendar_change_reaches_open_cases_through_the_worker(
    world, clock, clean_calendar, jobs
):
    from tests.helpers import drain

    cid = await accepted_on_30_september(world, clock)
    await site_calendar.set_override(await world.who_admin(), dt.date(2026, 10, 13), "holiday")
    await drain(jobs)  # the change queued "recompute_deadlines" in its own transaction
    assert (await case_row(cid))["due_on"] == dt.date(2026, 10, 14)
