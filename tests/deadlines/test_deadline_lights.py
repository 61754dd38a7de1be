"""Lights and the next-change moment the deadline sweep stores."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.deadlines.calendar import WorkingCalendar
from core.deadlines.clock import Clock, Pause
from core.deadlines.lights import (
    Light,
    light_at,
    light_for,
    light_schedule,
    next_change,
    yellow_day,
)

SH = ZoneInfo("Asia/Shanghai")
D = dt.date
CAL = WorkingCalendar()


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def midnight(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, tzinfo=SH)


# -- the light from a share ------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "overdue", "light"),
    [
        (0.0, False, Light.GREEN),
        (0.79, False, Light.GREEN),
        (0.8, False, Light.YELLOW),
        (4 / 5, False, Light.YELLOW),
        (1.0, False, Light.YELLOW),  # the due date itself: last day, not late
        (1.0, True, Light.RED),
        (0.2, True, Light.RED),  # overdue wins whatever the share says
    ],
)
def test_light_for_share(share: float, overdue: bool, light: Light) -> None:
    assert light_for(share, overdue=overdue) is light


def test_yellow_share_is_configurable() -> None:
    assert light_for(0.5, overdue=False, yellow_share=0.5) is Light.YELLOW
    assert light_for(0.49, overdue=False, yellow_share=0.5) is Light.GREEN
    assert light_for(0.95, overdue=False, yellow_share=1.0) is Light.GREEN
    for bad in (0, -0.1, 1.01):
        with pytest.raises(ValueError, match="yellow share"):
            light_for(0.5, overdue=False, yellow_share=bad)


@pytest.mark.parametrize(
    ("limit", "share", "day"),
    [
        (5, 0.8, 4),
        (3, 0.8, 3),
        (10, 0.7, 7),
        (1, 0.8, 1),
        (20, 0.8, 16),
        (100, 0.8, 80),
        (0, 0.8, 0),
    ],
)
def test_yellow_day(limit: int, share: float, day: int) -> None:
    assert yellow_day(limit, share) == day


# -- the light of a clock ------------------------------------------------------------


def test_lights_over_the_life_of_a_five_day_case() -> None:
    # Accepted Mon 2 Mar 2026, due Mon 9 Mar.
    c = Clock(at(2026, 3, 2, 10), 5, CAL)
    assert light_at(c, at(2026, 3, 2, 17)) is Light.GREEN  # 0 %
    assert light_at(c, at(2026, 3, 5)) is Light.GREEN  # 60 %
    assert light_at(c, at(2026, 3, 6, 0, 0)) is Light.YELLOW  # 80 % from midnight
    assert light_at(c, at(2026, 3, 9, 23, 59)) is Light.YELLOW  # 100 %, due today
    assert light_at(c, at(2026, 3, 10, 0, 0)) is Light.RED  # overdue


def test_79_and_80_percent_of_a_hundred_day_limit() -> None:
    c = Clock(at(2026, 3, 2, 10), 100, CAL)
    day_79 = c.nth_counted_day(79, at(2026, 3, 2, 11))
    day_80 = c.nth_counted_day(80, at(2026, 3, 2, 11))
    assert c.share_used(at(day_79.year, day_79.month, day_79.day)) == 0.79
    assert light_at(c, at(day_79.year, day_79.month, day_79.day)) is Light.GREEN
    assert light_at(c, at(day_80.year, day_80.month, day_80.day)) is Light.YELLOW


def test_site_yellow_share_changes_when_yellow_starts() -> None:
    c = Clock(at(2026, 3, 2, 10), 10, CAL)  # due Mon 16 Mar
    moment = at(2026, 3, 11)  # day 7 = 70 %
    assert light_at(c, moment) is Light.GREEN
    assert light_at(c, moment, yellow_share=0.7) is Light.YELLOW


# -- when the light changes next ----------------------------------------------------------


def test_next_change_from_green_yellow_red() -> None:
    c = Clock(at(2026, 3, 2, 10), 5, CAL)
    assert next_change(Light.GREEN, c, at(2026, 3, 2, 10)) == midnight(2026, 3, 6)
    assert next_change(Light.YELLOW, c, at(2026, 3, 6, 1)) == midnight(2026, 3, 10)
    assert next_change(Light.RED, c, at(2026, 3, 10, 1)) is None
    assert next_change("green", c, at(2026, 3, 3)) == midnight(2026, 3, 6)  # stored str


def test_next_change_over_national_day_2026() -> None:
    # Accepted Wed 30 Sep 2026, 5 days: day 4 (80 %) is Mon 12 Oct, due Tue 13 Oct.
    c = Clock(at(2026, 9, 30, 15), 5, CAL)
    schedule = light_schedule(c, at(2026, 9, 30, 15))
    assert schedule.yellow_at == midnight(2026, 10, 12)
    assert schedule.red_at == midnight(2026, 10, 14)
    assert schedule.yellow_at.utcoffset() == dt.timedelta(hours=8)


def test_next_change_is_now_when_the_stored_light_is_stale() -> None:
    c = Clock(at(2026, 3, 2, 10), 5, CAL)
    moment = at(2026, 3, 7)  # yellow since Friday
    assert next_change(Light.GREEN, c, moment) == moment


def test_paused_clock_has_no_next_change() -> None:
    c = Clock(at(2026, 3, 2, 10), 5, CAL, (Pause(at(2026, 3, 4, 10)),))
    assert light_schedule(c, at(2026, 3, 5)).yellow_at is None
    assert next_change(Light.GREEN, c, at(2026, 3, 5)) is None
    # Resumed on Tue 10 Mar at 11:00: 2 days used, day 4 is Thu 12 Mar.
    resumed = c.with_pauses([Pause(at(2026, 3, 4, 10), at(2026, 3, 10, 11))])
    assert next_change(Light.GREEN, resumed, at(2026, 3, 10, 11)) == midnight(2026, 3, 12)


def test_a_pause_that_ended_moves_the_red_moment() -> None:
    c = Clock(at(2026, 3, 2, 10), 5, CAL, (Pause(at(2026, 3, 4, 10), at(2026, 3, 6, 15)),))
    # Due Wed 11 Mar (see the clock tests): red at midnight starting Thu 12 Mar.
    assert light_schedule(c, at(2026, 3, 6, 16)).red_at == midnight(2026, 3, 12)


pauses = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 20), st.integers(0, 23)), max_size=3)


@settings(max_examples=150, deadline=None)
@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 11, 30)),
    hour=st.integers(0, 23),
    limit=st.integers(1, 30),
    raw_pauses=pauses,
    look_after=st.integers(0, 60),
    share=st.sampled_from([0.5, 0.75, 0.8, 0.9, 1.0]),
)
def test_next_change_agrees_with_light_at(
    start: dt.date,
    hour: int,
    limit: int,
    raw_pauses: list[tuple[int, int, int]],
    look_after: int,
    share: float,
) -> None:
    """The stored next change is exact: the light holds until then and changes then."""
    accepted = dt.datetime(start.year, start.month, start.day, hour, tzinfo=SH)
    pause_list = [
        Pause(
            accepted + dt.timedelta(days=offset, hours=1),
            accepted + dt.timedelta(days=offset + length, hours=h),
        )
        for offset, length, h in raw_pauses
        if dt.timedelta(days=length, hours=h) >= dt.timedelta(hours=1)
    ]
    c = Clock(accepted, limit, CAL, tuple(pause_list))
    now = accepted + dt.timedelta(days=look_after, hours=3)
    current = light_at(c, now, share)
    change = next_change(current, c, now, share)
    if change is None:
        assert current is Light.RED or c.is_paused(now)
        return
    assert change > now
    assert change == CAL.start_of_day(CAL.local_date(change))  # always a local midnight
    # Held at every midnight (and just before the change) in between ...
    probe = CAL.start_of_day(CAL.local_date(now) + dt.timedelta(days=1))
    while probe < change:
        if not c.is_paused(probe):
            assert light_at(c, probe, share) is current
        probe += dt.timedelta(days=1)
    assert light_at(c, change - dt.timedelta(microseconds=1), share) is current
    # ... and different from the change on, unless a recorded pause intervenes.
    if not any(now < p.start <= change for p in c.pauses):
        assert light_at(c, change, share) is not current
