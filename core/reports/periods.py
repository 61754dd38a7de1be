"""Reporting periods: site-local days, presets, months and their working days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.cases import timing
from core.deadlines.calendar import WorkingCalendar
from core.errors import TongbanError
from core.i18n import N_
from core.settings import site_today

MAX_DAYS = 3 * 366
PRESETS = ("month", "last_month", "30d", "year")


class PeriodInvalid(TongbanError):
    status_code = 422
    message = N_("Please choose a valid period: %(reason)s")
    translate_params = ("reason",)


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    preset: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def daily(self) -> bool:
        """Trend charts show days for up to two months, months beyond."""
        return self.days <= 62


def local_today(now: datetime | None = None) -> date:
    """The site-local date at ``now`` (default: the moment case handling reads, so tests move it)."""
    return site_today(now or timing.utcnow())


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (month_start(day) - timedelta(days=1)).replace(day=1)


def month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def first_working_day(first: date, calendar: WorkingCalendar) -> date:
    """The first working day of the month starting at ``first``."""
    day = first
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def preset_period(preset: str, today: date) -> Period:
    if preset == "last_month":
        first = previous_month(today)
        return Period(first, month_end(first), preset)
    if preset == "30d":
        return Period(today - timedelta(days=29), today, preset)
    if preset == "year":
        return Period(today.replace(month=1, day=1), today, preset)
    return Period(month_start(today), today, "month")


def parse_period(start: str, end: str, preset: str, today: date) -> Period:
    """A period from the query string: explicit dates win over a preset.

    Bad dates, a start after the end or a span over three years are refused
    with a message saying which.
    """
    start, end = (start or "").strip(), (end or "").strip()
    if not start and not end:
        return preset_period(preset if preset in PRESETS else "month", today)
    try:
        first = date.fromisoformat(start) if start else month_start(today)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        raise PeriodInvalid(reason=N_("dates are written as YYYY-MM-DD")) from None
    if first > last:
        raise PeriodInvalid(reason=N_("the first day is after the last day"))
    if (last - first).days + 1 > MAX_DAYS:
        raise PeriodInvalid(reason=N_("a period can span at most three years"))
    return Period(first, last)


def month_period(text: str) -> date:
    """``YYYY-MM`` → the first day of that month; PeriodInvalid otherwise."""
    try:
        year, month = text.strip().split("-")
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise PeriodInvalid(reason=N_("months are written as YYYY-MM")) from None
