"""The working-day calendar, checked against the real 2025/2026 State Council schedules."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.deadlines.calendar import DayOverride, WorkingCalendar, parse_overrides

D = dt.date


def days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date in [start, end]."""
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


# -- the official 2026 schedule (国办发明电〔2025〕7号, as carried by the library) --


def test_2026_national_day_and_mid_autumn_schedule(cal: WorkingCalendar) -> None:
    # Mid-Autumn 2026 is Friday 25 Sep: Fri-Sun 25-27 Sep off.
    assert [cal.is_working_day(d) for d in days(D(2026, 9, 25), D(2026, 9, 27))] == [False] * 3
    # National Day: Thu 1 Oct - Wed 7 Oct off, seven days in a row.
    assert not any(cal.is_working_day(d) for d in days(D(2026, 10, 1), D(2026, 10, 7)))
    # ...paid for by working Sunday 20 Sep and Saturday 10 Oct.
    assert D(2026, 9, 20).weekday() == 6 and cal.is_working_day(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and cal.is_working_day(D(2026, 10, 10))
    assert not cal.is_working_day(D(2026, 10, 11))  # an ordinary Sunday
    assert cal.is_working_day(D(2026, 10, 8))


def test_five_working_days_from_30_september_2026(cal: WorkingCalendar) -> None:
    # Accepted Wed 30 Sep 2026 (that day never counts). Oct 1-7 are the
    # National Day holiday. Day 1 = Thu 8 Oct, 2 = Fri 9 Oct, 3 = Sat 10 Oct
    # (make-up working day), Sun 11 Oct is off, 4 = Mon 12 Oct, 5 = Tue 13 Oct.
    assert cal.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)
    # Without the make-up Saturday it would have been Wednesday 14 Oct.
    no_make_up = WorkingCalendar({D(2026, 10, 10): "holiday"})
    assert no_make_up.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 14)


def test_make_up_saturday_counts_as_working_day(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)  # Fri -> Sat
    assert cal.working_days_between(D(2026, 10, 9), D(2026, 10, 11)) == 1
    assert not cal.is_working_day(D(2026, 10, 3))  # the Saturday inside the holiday
    assert not cal.is_working_day(D(2026, 9, 19))  # an ordinary Saturday


def test_spring_festival_2026(cal: WorkingCalendar) -> None:
    # Spring Festival 2026: Sun 15 Feb - Mon 23 Feb off (nine days, eve = 16 Feb,
    # New Year's Day = 17 Feb); Sat 14 Feb and Sat 28 Feb are make-up working days.
    assert not any(cal.is_working_day(d) for d in days(D(2026, 2, 15), D(2026, 2, 23)))
    assert cal.is_working_day(D(2026, 2, 14))
    assert cal.is_working_day(D(2026, 2, 28))
    # Accepted Fri 13 Feb, 3 working days: 1 = Sat 14 Feb (make-up),
    # then the nine-day break, 2 = Tue 24 Feb, 3 = Wed 25 Feb.
    assert cal.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)
    # Accepted on the eve itself: the first day is the Tuesday after the break.
    assert cal.add_working_days(D(2026, 2, 16), 1) == D(2026, 2, 24)
    assert cal.day_name(D(2026, 2, 17)) == "春节"


def test_new_year_2026_across_the_year_boundary(cal: WorkingCalendar) -> None:
    # Thu 1 Jan and Fri 2 Jan 2026 off, Sat 3 Jan off, Sun 4 Jan worked.
    assert cal.working_days_between(D(2025, 12, 31), D(2026, 1, 5)) == 2  # 4 and 5 Jan
    assert cal.add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)


def test_2025_national_day_eight_days(cal: WorkingCalendar) -> None:
    # 2025: National Day and Mid-Autumn (6 Oct) merged into 1-8 Oct off,
    # with Sun 28 Sep and Sat 11 Oct worked.
    assert not any(cal.is_working_day(d) for d in days(D(2025, 10, 1), D(2025, 10, 8)))
    assert cal.is_working_day(D(2025, 9, 28)) and cal.is_working_day(D(2025, 10, 11))
    assert cal.add_working_days(D(2025, 9, 30), 2) == D(2025, 10, 10)


def test_make_up_days_listed_in_the_next_years_notice(cal: WorkingCalendar) -> None:
    # The 2002 notice moved work for its New Year break to Sat/Sun 29-30 Dec 2001.
    assert cal.is_working_day(D(2001, 12, 29)) and cal.is_working_day(D(2001, 12, 30))
    assert not cal.is_working_day(D(2002, 1, 2)) and not cal.is_working_day(D(2002, 1, 3))


def test_agrees_with_the_library_for_every_day_2001_2026(cal: WorkingCalendar) -> None:
    official = holidays.China(years=range(2000, 2028))
    for day in days(D(2001, 1, 1), D(2026, 12, 31)):
        assert cal.is_working_day(day) == official.is_working_day(day), day


# -- overrides ---------------------------------------------------------------


def test_site_override_moves_a_deadline() -> None:
    # The city closes its service centres on Mon 12 Oct 2026.
    site = WorkingCalendar({D(2026, 10, 12): DayOverride("holiday", "市运动会停止办公")})
    assert site.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 14)
    assert site.day_name(D(2026, 10, 12)) == "市运动会停止办公"
    # An extra working Sunday pulls it in instead.
    earlier = WorkingCalendar({D(2026, 10, 11): "workday"})
    assert earlier.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 12)


def test_overrides_do_not_leak_between_calendars(cal: WorkingCalendar) -> None:
    WorkingCalendar({D(2026, 10, 13): "holiday"}).is_working_day(D(2026, 10, 13))
    assert cal.is_working_day(D(2026, 10, 13))


def test_years_without_a_notice_are_estimated() -> None:
    cal = WorkingCalendar()
    assert not cal.is_estimated(2026)
    assert cal.is_estimated(2027)
    # The library guesses 2027 from rules: no make-up working days at all.
    sat = D(2027, 2, 20)
    assert sat.weekday() == 5 and not cal.is_working_day(sat)
    # Once the site enters the schedule, it is no longer an estimate.
    site = WorkingCalendar({sat: DayOverride("workday", "调休上班")})
    assert site.is_working_day(sat)
    assert not site.is_estimated(2027)


def test_parse_overrides_from_site_toml() -> None:
    parsed = parse_overrides(
        {"2027-02-20": "workday", "2027-02-11": {"kind": "holiday", "name": "春节"}}
    )
    assert parsed == {
        D(2027, 2, 20): DayOverride("workday"),
        D(2027, 2, 11): DayOverride("holiday", "春节"),
    }
    cal = WorkingCalendar(parsed)
    assert cal.is_working_day(D(2027, 2, 20)) and not cal.is_working_day(D(2027, 2, 11))


@pytest.mark.parametrize(
    "raw",
    [
        {"2027-02-30": "holiday"},
        {"2027-02-20": "weekend"},
        {"2027-02-20": {"kind": "holiday", "nmae": "typo"}},
        {"2027-02-20": {"name": "no kind"}},
    ],
)
def test_parse_overrides_rejects_mistakes(raw: dict) -> None:
    with pytest.raises(ValueError, match="calendar override"):
        parse_overrides(raw)


def test_override_keys_must_be_dates() -> None:
    with pytest.raises(TypeError):
        WorkingCalendar({dt.datetime(2026, 10, 12, tzinfo=dt.UTC): "holiday"})  # type: ignore[dict-item]


# -- counting conventions --------------------------------------------------------


def test_start_day_never_counts(cal: WorkingCalendar) -> None:
    monday = D(2026, 3, 2)
    assert cal.working_days_between(monday, monday) == 0
    assert cal.working_days_between(monday, D(2026, 3, 3)) == 1
    assert cal.add_working_days(monday, 1) == D(2026, 3, 3)
    # Starting on a Saturday, the first day is Monday.
    assert cal.add_working_days(D(2026, 3, 7), 1) == D(2026, 3, 9)
    assert cal.add_working_days(D(2026, 3, 7), 0) == D(2026, 3, 7)
    with pytest.raises(ValueError):
        cal.add_working_days(monday, -1)


def test_between_is_antisymmetric_and_spans_years(cal: WorkingCalendar) -> None:
    a, b = D(2024, 6, 3), D(2027, 3, 1)
    forward = cal.working_days_between(a, b)
    assert forward == -cal.working_days_between(b, a)
    assert forward == sum(cal.is_working_day(d) for d in days(a + dt.timedelta(days=1), b))


# No deadline: an example's first call builds a year's table from the holidays library,
# which takes a few hundred milliseconds on a busy machine; correctness is what is tested.
@settings(deadline=None)
@given(
    start=st.dates(min_value=D(2001, 1, 1), max_value=D(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=400),
)
def test_add_and_between_are_inverse(start: dt.date, n: int) -> None:
    cal = WorkingCalendar()
    due = cal.add_working_days(start, n)
    assert cal.is_working_day(due)
    assert cal.working_days_between(start, due) == n
    assert cal.working_days_between(start, due - dt.timedelta(days=1)) == n - 1


# -- time zone -----------------------------------------------------------------------


def test_local_date_uses_shanghai_time(cal: WorkingCalendar) -> None:
    assert cal.tz == ZoneInfo("Asia/Shanghai")
    # 17:00 UTC on 30 Sep is already 01:00 on 1 Oct in Shanghai.
    assert cal.local_date(dt.datetime(2026, 9, 30, 17, 0, tzinfo=dt.UTC)) == D(2026, 10, 1)
    assert cal.start_of_day(D(2026, 10, 1)) == dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.local_date(dt.datetime(2026, 9, 30, 17, 0))
