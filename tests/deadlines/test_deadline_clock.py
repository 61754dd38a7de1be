"""Time-limit clocks: due dates, pauses and the share used, on real 2026 dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from core.deadlines.calendar import WorkingCalendar
from core.deadlines.clock import Clock, Pause

SH = ZoneInfo("Asia/Shanghai")
D = dt.date


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    """A Shanghai wall-clock moment."""
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


# March 2026 has no holidays: Mon 2 Mar, a 5-day item is due Mon 9 Mar
# (Tue 3, Wed 4, Thu 5, Fri 6, Mon 9).
ACCEPTED = at(2026, 3, 2, 10, 30)


def clock(cal: WorkingCalendar, *pauses: Pause, limit: int = 5) -> Clock:
    return Clock(ACCEPTED, limit, cal, pauses)


def test_due_date_without_pauses(cal: WorkingCalendar) -> None:
    c = clock(cal)
    assert c.due_date(at(2026, 3, 2)) == D(2026, 3, 9)


def test_national_day_due_date(cal: WorkingCalendar) -> None:
    # See test_five_working_days_from_30_september_2026: due Tue 13 Oct 2026.
    c = Clock(at(2026, 9, 30, 16, 45), 5, cal)
    assert c.due_date(at(2026, 9, 30, 17)) == D(2026, 10, 13)
    # Nothing is used during the holiday, the make-up Saturday is day 3.
    assert c.used_days(at(2026, 10, 7, 12)) == 0
    assert c.used_days(at(2026, 10, 10, 12)) == 3
    assert c.used_days(at(2026, 10, 11, 12)) == 3
    assert c.used_days(at(2026, 10, 13, 23, 59)) == 5
    assert not c.is_overdue(at(2026, 10, 13, 23, 59))
    assert c.is_overdue(at(2026, 10, 14, 0, 0))


def test_hour_of_acceptance_does_not_matter(cal: WorkingCalendar) -> None:
    early = Clock(at(2026, 3, 2, 0, 1), 5, cal)
    late = Clock(at(2026, 3, 2, 23, 59), 5, cal)
    assert early.due_date(at(2026, 3, 3)) == late.due_date(at(2026, 3, 3)) == D(2026, 3, 9)


def test_acceptance_day_is_the_shanghai_day(cal: WorkingCalendar) -> None:
    # 15:30 UTC is 23:30 Monday in Shanghai; 16:30 UTC is 00:30 Tuesday.
    monday = Clock(dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC), 5, cal)
    tuesday = Clock(dt.datetime(2026, 3, 2, 16, 30, tzinfo=dt.UTC), 5, cal)
    assert monday.due_date(at(2026, 3, 3)) == D(2026, 3, 9)
    assert tuesday.due_date(at(2026, 3, 3)) == D(2026, 3, 10)


def test_used_days_and_share_day_by_day(cal: WorkingCalendar) -> None:
    c = clock(cal)
    expected = {
        D(2026, 3, 2): 0,  # acceptance day
        D(2026, 3, 3): 1,
        D(2026, 3, 6): 4,
        D(2026, 3, 7): 4,  # Saturday
        D(2026, 3, 9): 5,  # due date: 100 %, not yet overdue
        D(2026, 3, 10): 6,
    }
    for day, used in expected.items():
        moment = at(day.year, day.month, day.day, 8)
        assert c.used_days(moment) == used, day
        assert c.share_used(moment) == used / 5
    state = c.state(at(2026, 3, 10, 8))
    assert state.overdue and state.remaining_days == -1 and not state.paused
    assert c.state(at(2026, 3, 9, 18)).remaining_days == 0


def test_pause_pushes_due_date_by_the_days_it_covered(cal: WorkingCalendar) -> None:
    # Supplement notice Wed 4 Mar 10:00, materials back Fri 6 Mar 15:00.
    # Wed counts (the case was worked that day), Thu and Fri do not:
    # 1 = Tue 3, 2 = Wed 4, 3 = Mon 9, 4 = Tue 10, 5 = Wed 11.
    c = clock(cal, Pause(at(2026, 3, 4, 10), at(2026, 3, 6, 15)))
    assert c.due_date(at(2026, 3, 6, 16)) == D(2026, 3, 11)
    assert c.used_days(at(2026, 3, 6, 16)) == 2
    assert c.used_days(at(2026, 3, 9, 9)) == 3


def test_pause_within_one_day_costs_nothing(cal: WorkingCalendar) -> None:
    c = clock(cal, Pause(at(2026, 3, 4, 9), at(2026, 3, 4, 16)))
    assert c.due_date(at(2026, 3, 5)) == D(2026, 3, 9)
    assert c.is_paused(at(2026, 3, 4, 12))
    assert not c.is_paused(at(2026, 3, 4, 16))  # resumed at 16:00 sharp


def test_pause_over_a_weekend_gives_back_only_working_days(cal: WorkingCalendar) -> None:
    # Fri 6 Mar -> Mon 9 Mar covers Sat, Sun, Mon: one working day.
    c = clock(cal, Pause(at(2026, 3, 6, 11), at(2026, 3, 9, 10)))
    assert c.due_date(at(2026, 3, 9, 11)) == D(2026, 3, 10)


def test_overlapping_pauses_are_not_counted_twice(cal: WorkingCalendar) -> None:
    supplement = Pause(at(2026, 3, 3, 10), at(2026, 3, 5, 10))  # covers Wed, Thu
    hearing = Pause(at(2026, 3, 4, 9), at(2026, 3, 6, 9), kind="suspended")  # Thu, Fri
    c = clock(cal, supplement, hearing)
    # Paused Wed 4, Thu 5, Fri 6: 1 = Tue 3, then 2..5 = Mon 9 .. Thu 12.
    assert c.due_date(at(2026, 3, 6, 10)) == D(2026, 3, 12)


def test_open_pause_freezes_the_count_and_projects_the_due_date(cal: WorkingCalendar) -> None:
    c = clock(cal, Pause(at(2026, 3, 4, 10)))  # still waiting for materials
    assert c.is_paused(at(2026, 3, 10))
    assert c.used_days(at(2026, 3, 4, 18)) == 2  # the notice day counted
    assert c.used_days(at(2026, 3, 10, 12)) == 2  # frozen since
    # If the materials arrived today (Tue 10 Mar), 3 days remain from Wed 11.
    assert c.due_date(at(2026, 3, 10, 12)) == D(2026, 3, 13)
    assert not c.is_overdue(at(2026, 3, 20))
    # The same clock, seen before the pause started, knows nothing of it.
    assert c.due_date(at(2026, 3, 3)) == D(2026, 3, 9)


def test_clock_is_evaluated_as_known_at_the_moment(cal: WorkingCalendar) -> None:
    # A recorded pause Wed 4 Mar 10:00 - Tue 10 Mar 11:00, replayed at three moments.
    c = clock(cal, Pause(at(2026, 3, 4, 10), at(2026, 3, 10, 11)))
    # Before it started: nothing foreseen.
    assert c.due_date(at(2026, 3, 3, 12)) == D(2026, 3, 9)
    assert c.used_days(at(2026, 3, 3, 12)) == 1
    # In the middle of it (Fri 6 Mar): as if the materials came back that day.
    assert c.is_paused(at(2026, 3, 6, 12))
    assert c.used_days(at(2026, 3, 6, 12)) == 2
    assert c.due_date(at(2026, 3, 6, 12)) == D(2026, 3, 11)
    # After it: Thu 5 - Tue 10 Mar were paused; 3 = Wed 11 .. 5 = Fri 13.
    assert c.due_date(at(2026, 3, 10, 12)) == D(2026, 3, 13)


def test_pause_after_the_due_date_does_not_rescue_an_overdue_case(cal: WorkingCalendar) -> None:
    c = clock(cal, Pause(at(2026, 3, 11, 10), at(2026, 3, 13, 10)))
    assert c.due_date(at(2026, 3, 13, 11)) == D(2026, 3, 9)
    assert c.is_overdue(at(2026, 3, 12))


def test_pause_starting_on_the_due_date(cal: WorkingCalendar) -> None:
    # Notice on the last day: that day was used; the rest (0 days) waits.
    c = clock(cal, Pause(at(2026, 3, 9, 10), at(2026, 3, 11, 10)))
    assert c.due_date(at(2026, 3, 11, 11)) == D(2026, 3, 9)


def test_pause_before_acceptance_is_clipped(cal: WorkingCalendar) -> None:
    # A pre-acceptance supplement ending on the acceptance day changes nothing.
    c = clock(cal, Pause(at(2026, 2, 26, 10), at(2026, 3, 2, 9)))
    assert c.due_date(at(2026, 3, 3)) == D(2026, 3, 9)


def test_pause_across_national_day_2026(cal: WorkingCalendar) -> None:
    # Accepted Mon 28 Sep, 5 days. Notice Tue 29 Sep, materials Fri 9 Oct.
    # Counted: Tue 29 Sep (1). Paused: Wed 30 Sep and Thu 8 - Fri 9 Oct
    # (the holiday is off anyway). Then 2 = Sat 10 Oct (make-up),
    # 3 = Mon 12, 4 = Tue 13, 5 = Wed 14 Oct.
    c = Clock(at(2026, 9, 28, 10), 5, cal, (Pause(at(2026, 9, 29, 15), at(2026, 10, 9, 11)),))
    assert c.due_date(at(2026, 10, 9, 12)) == D(2026, 10, 14)


def test_instant_item_is_due_on_acceptance_day(cal: WorkingCalendar) -> None:
    c = Clock(ACCEPTED, 0, cal)
    assert c.due_date(ACCEPTED) == D(2026, 3, 2)
    assert c.share_used(ACCEPTED) == 1.0
    assert not c.is_overdue(at(2026, 3, 2, 23, 59))
    assert c.is_overdue(at(2026, 3, 3, 0, 0))


def test_bad_input_is_refused(cal: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        Clock(dt.datetime(2026, 3, 2, 10), 5, cal)
    with pytest.raises(ValueError, match="limit_days"):
        Clock(ACCEPTED, -1, cal)
    with pytest.raises(ValueError, match="before it starts"):
        Pause(at(2026, 3, 4), at(2026, 3, 3))
    with pytest.raises(ValueError, match="timezone-aware"):
        clock(cal).used_days(dt.datetime(2026, 3, 4))


def test_pauses_accept_any_iterable(cal: WorkingCalendar) -> None:
    c = Clock(ACCEPTED, 5, cal, [Pause(at(2026, 3, 4, 10), at(2026, 3, 6, 15))])  # type: ignore[arg-type]
    assert isinstance(c.pauses, tuple)
    assert c.with_pauses([]).due_date(at(2026, 3, 7)) == D(2026, 3, 9)
