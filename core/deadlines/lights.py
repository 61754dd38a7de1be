"""Lights (亮灯督办): green, yellow, red from the share of the limit used.

* **green**  while less than the site's yellow share of the limit is used;
* **yellow** from the day the share used reaches the yellow share (default
  0.8, configurable per site) — "past" is read as "at or past", so a
  5-day item turns yellow on its 4th day;
* **red**    once the case is overdue, i.e. from local midnight after the
  due date. Red escalates, so it depends on the due date alone, never on a
  rounded share.

Because a clock counts whole days (see :mod:`core.deadlines.clock`), a light
can only change at a site-local midnight, and only while the clock runs. The
deadline sweep therefore stores :func:`next_change` per case and touches only
cases whose stored moment has passed. Anything that changes a clock — a
pause, a resumption, a new limit, a new calendar override, a new yellow
share — must recompute it; a paused clock has no next change.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

from core.deadlines.clock import Clock

__all__ = [
    "DEFAULT_YELLOW_SHARE",
    "Light",
    "LightSchedule",
    "light_at",
    "light_for",
    "light_schedule",
    "next_change",
    "validate_yellow_share",
    "yellow_day",
]

DEFAULT_YELLOW_SHARE = 0.8

# Shares are ratios of small integers compared with a configured decimal:
# 4/5 must count as 0.8 even if float rounding says 0.7999999999999999.
_EPSILON = 1e-9


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


def validate_yellow_share(yellow_share: float) -> float:
    """Refuse a threshold that would make every case yellow or none."""
    if not 0 < yellow_share <= 1:
        raise ValueError(f"yellow share must be in (0, 1], got {yellow_share!r}")
    return yellow_share


def light_for(
    share_used: float, *, overdue: bool, yellow_share: float = DEFAULT_YELLOW_SHARE
) -> Light:
    """The light for a share of the limit used; ``overdue`` alone makes it red."""
    validate_yellow_share(yellow_share)
    if overdue:
        return Light.RED
    if share_used + _EPSILON >= yellow_share:
        return Light.YELLOW
    return Light.GREEN


def yellow_day(limit_days: int, yellow_share: float = DEFAULT_YELLOW_SHARE) -> int:
    """The first day of the limit on which the light is yellow.

    Found with :func:`light_for` itself, so the schedule and the light can
    never disagree at a boundary. 0 for an instant item (limit 0).
    """
    validate_yellow_share(yellow_share)
    if limit_days == 0:
        return 0
    k = max(1, math.ceil(yellow_share * limit_days - 1))

    def is_yellow(day: int) -> bool:
        return light_for(day / limit_days, overdue=False, yellow_share=yellow_share) is Light.YELLOW

    while not is_yellow(k):
        k += 1
    while k > 1 and is_yellow(k - 1):
        k -= 1
    return k


def light_at(clock: Clock, at: dt.datetime, yellow_share: float = DEFAULT_YELLOW_SHARE) -> Light:
    """The light of ``clock`` at the moment ``at``."""
    state = clock.state(at)
    return light_for(state.share_used, overdue=state.overdue, yellow_share=yellow_share)


@dataclass(frozen=True, slots=True)
class LightSchedule:
    """When the light turns yellow and red if nothing else happens to the case.

    Both are site-local midnights. They may lie before ``at`` (the light has
    already changed). None for both while the clock is paused: nothing
    changes until the case resumes.
    """

    yellow_at: dt.datetime | None
    red_at: dt.datetime | None


def light_schedule(
    clock: Clock, at: dt.datetime, yellow_share: float = DEFAULT_YELLOW_SHARE
) -> LightSchedule:
    """Project the yellow and red moments from what is known at ``at``."""
    if clock.is_paused(at):
        return LightSchedule(None, None)
    cal = clock.calendar
    turns_yellow = clock.nth_counted_day(yellow_day(clock.limit_days, yellow_share), at)
    due = clock.due_date(at)
    return LightSchedule(
        yellow_at=cal.start_of_day(turns_yellow),
        red_at=cal.start_of_day(due + dt.timedelta(days=1)),
    )


def next_change(
    current: Light | str,
    clock: Clock,
    at: dt.datetime,
    yellow_share: float = DEFAULT_YELLOW_SHARE,
) -> dt.datetime | None:
    """The first moment after ``at`` when the light will differ from ``current``.

    Returns ``at`` itself when ``current`` is already stale (the stored light
    should have changed already, e.g. after an admin lowered the yellow
    share), and None when no change is scheduled: the light is red (red is
    final), or the clock is paused. Assumes no further pauses; whoever
    records one recomputes.
    """
    current = Light(current)  # a light read back from the database is a plain str
    state = clock.state(at)
    actual = light_for(state.share_used, overdue=state.overdue, yellow_share=yellow_share)
    if actual is not current:
        return at
    if actual is Light.RED or state.paused:
        return None
    if actual is Light.GREEN:
        turns_yellow = clock.nth_counted_day(yellow_day(clock.limit_days, yellow_share), at)
        return clock.calendar.start_of_day(turns_yellow)
    return clock.calendar.start_of_day(state.due_date + dt.timedelta(days=1))
