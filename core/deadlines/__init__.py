"""Deadlines: the working-day calendar, time-limit clocks and lights.

The calendar, clock and lights are pure, synchronous and database-free, so
the deadline sweep can evaluate many cases quickly and every rule can be
tested with real dates. All datetimes are timezone-aware; days are site-local
civil dates (Asia/Shanghai by default). The site's own layer — site.toml and
the city admin's overrides, stored in the database — lives apart in
:mod:`core.deadlines.site_calendar` (with its admin page in ``routes``).
"""

from core.deadlines.calendar import (
    DEFAULT_TIMEZONE,
    DayKind,
    DayOverride,
    WorkingCalendar,
    parse_overrides,
)
from core.deadlines.clock import Clock, ClockState, Pause, PauseKind
from core.deadlines.lights import (
    DEFAULT_YELLOW_SHARE,
    Light,
    LightSchedule,
    light_at,
    light_for,
    light_schedule,
    next_change,
    validate_yellow_share,
    yellow_day,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "DEFAULT_YELLOW_SHARE",
    "Clock",
    "ClockState",
    "DayKind",
    "DayOverride",
    "Light",
    "LightSchedule",
    "Pause",
    "PauseKind",
    "WorkingCalendar",
    "light_at",
    "light_for",
    "light_schedule",
    "next_change",
    "parse_overrides",
    "validate_yellow_share",
    "yellow_day",
]
