"""The working-day calendar for China, with per-site overrides.

Legal and committed time limits (法定/承诺办结时限) are counted in working
days: Saturdays and Sundays are off, the official public holidays are off,
and the weekend days the State Council moves work to (调休上班, "make-up"
working days) are ON. Nobody can compute that schedule from rules: it is
published each November for the following year. So the official part comes
from the maintained ``holidays`` library, and a site can override any single
day on top of it, because a city often has to run on next year's schedule
before a library release with that schedule has been installed.

What the ``holidays`` library gives (checked against its source, v0.109):

* ``holidays.China`` has only the ``public`` and ``half_day`` categories;
  there is no ``workday`` category. Half-day holidays (Women's Day, Youth
  Day...) are not days off for the whole service centre, so only ``public``
  is used.
* Make-up working days exist only as the ``weekend_workdays`` set of an
  instance, derived from the substitutions listed per year in
  ``ChinaStaticHolidays.special_public_holidays`` ("Oct 6 is off, worked on
  Sep 20"). The set also always contains a few cross-year make-up days of
  other years (e.g. 2001-12-29), so it is filtered by year here.
* For years after the last published notice the library falls back to rules
  (statutory days, plus a Monday "observed" day when a festival falls on a
  weekend) and has no make-up working days at all. Those years are an
  estimate; :meth:`WorkingCalendar.is_estimated` says so, so that an admin
  screen can ask for overrides.

The calendar is precomputed one year at a time into a byte table and a
running count of working days, so every query is an index or a bisection:
the deadline sweep calls it millions of times. A calendar is immutable; to
change overrides, build a new one.

Days are civil dates in the site's time zone (Asia/Shanghai by default);
:meth:`WorkingCalendar.local_date` turns an aware datetime into one.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, cast, get_args
from zoneinfo import ZoneInfo

import holidays

__all__ = [
    "DEFAULT_TIMEZONE",
    "DayKind",
    "DayOverride",
    "WorkingCalendar",
    "parse_overrides",
]

#: Tongban sites run on China Standard Time unless ``site.toml`` says otherwise.
DEFAULT_TIMEZONE = "Asia/Shanghai"

DayKind = Literal["workday", "holiday"]
_DAY_KINDS: frozenset[str] = frozenset(get_args(DayKind))


@dataclass(frozen=True, slots=True)
class DayOverride:
    """A site's decision about one day, which wins over the library.

    ``name`` is shown to clerks ("春节", "调休上班", "市运动会停止办公"); it does
    not affect counting.
    """

    kind: DayKind
    name: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in _DAY_KINDS:
            raise ValueError(f"day override kind must be 'workday' or 'holiday', not {self.kind!r}")


OverrideValue = DayOverride | DayKind


def parse_overrides(
    raw: Mapping[str | dt.date, str | Mapping[str, str]],
) -> dict[dt.date, DayOverride]:
    """Read overrides as a site writes them in ``site.toml``.

    Keys are ISO dates; a value is ``"workday"``/``"holiday"`` or a table
    ``{kind = "holiday", name = "春节"}``::

        [calendar.overrides]
        "2027-02-06" = "workday"
        "2027-02-10" = { kind = "holiday", name = "春节" }

    Raises ``ValueError`` naming the bad key, so a typo stops start-up
    instead of silently moving deadlines.
    """
    result: dict[dt.date, DayOverride] = {}
    for key, value in raw.items():
        try:
            day = key if isinstance(key, dt.date) else dt.date.fromisoformat(key)
            if isinstance(day, dt.datetime):
                raise ValueError("a day override is a date, not a datetime")
            if isinstance(value, str):
                override = DayOverride(cast(DayKind, value))
            else:
                unknown = set(value) - {"kind", "name"}
                if unknown:
                    raise ValueError(f"unknown field(s) {sorted(unknown)}")
                override = DayOverride(cast(DayKind, value["kind"]), value.get("name"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"calendar override {key!r}: {exc}") from exc
        result[day] = override
    return result


@dataclass(frozen=True, slots=True)
class _YearTable:
    """One year, precomputed.

    ``working[i]`` is 1 when day ``i`` (0 = Jan 1) is a working day.
    ``counts[k]`` is the number of working days among days ``0 .. k-1``, so
    ``counts[i + 1] - counts[j + 1]`` counts the working days in ``(j, i]``
    and a bisection finds the n-th working day.
    """

    first_ordinal: int
    working: bytes
    counts: list[int]
    names: dict[dt.date, str]


class WorkingCalendar:
    """Which days count towards a time limit, for one site.

    ``overrides`` maps a date to ``"workday"``, ``"holiday"`` or a
    :class:`DayOverride`; it is applied on top of the official schedule.
    """

    def __init__(
        self,
        overrides: Mapping[dt.date, OverrideValue] | None = None,
        *,
        timezone: str | ZoneInfo = DEFAULT_TIMEZONE,
        language: str = "zh_CN",
    ) -> None:
        self._overrides: dict[dt.date, DayOverride] = {}
        for day, value in (overrides or {}).items():
            if isinstance(day, dt.datetime) or not isinstance(day, dt.date):
                raise TypeError(f"override keys must be dates, got {day!r}")
            self._overrides[day] = value if isinstance(value, DayOverride) else DayOverride(value)
        self._tz = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        self._language = language
        self._tables: dict[int, _YearTable] = {}
        self._published: frozenset[int] | None = None

    # -- time zone -------------------------------------------------------

    @property
    def tz(self) -> ZoneInfo:
        """The site's time zone: it decides which civil day a moment belongs to."""
        return self._tz

    @property
    def overrides(self) -> Mapping[dt.date, DayOverride]:
        """The site's overrides (read-only view)."""
        return dict(self._overrides)

    def local_date(self, moment: dt.datetime) -> dt.date:
        """The site-local civil date of an aware datetime.

        Naive datetimes are refused: a clerk in Chongqing and a server in UTC
        would otherwise disagree about which day a case was accepted.
        """
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware, got naive {moment!r}")
        return moment.astimezone(self._tz).date()

    def start_of_day(self, day: dt.date) -> dt.datetime:
        """Local midnight at the start of ``day`` (aware, in the site's zone)."""
        return dt.datetime(day.year, day.month, day.day, tzinfo=self._tz)

    # -- single days -----------------------------------------------------

    def is_working_day(self, day: dt.date) -> bool:
        """True when ``day`` counts towards a time limit."""
        table = self._tables.get(day.year) or self._build(day.year)
        return table.working[day.toordinal() - table.first_ordinal] == 1

    def day_name(self, day: dt.date) -> str | None:
        """The name of a holiday or overridden day, for display; else None."""
        table = self._tables.get(day.year) or self._build(day.year)
        return table.names.get(day)

    def is_estimated(self, year: int) -> bool:
        """True when ``year`` rests on the library's rule-based guess.

        That is the case when the installed ``holidays`` release carries no
        State Council notice for the year and the site has no override in it.
        Deadlines in such a year may move once the notice is entered.
        """
        if any(day.year == year for day in self._overrides):
            return False
        if self._published is None:
            probe = holidays.China(years=[])
            self._published = frozenset(getattr(probe, "special_public_holidays", {}))
        return year not in self._published

    # -- counting --------------------------------------------------------

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in ``(start, end]``: ``start`` excluded, ``end`` included.

        That is the statutory convention (受理当日不计入): a case accepted
        on Monday has used one day by the end of Tuesday. Negative when
        ``end`` is before ``start``, so ``between(a, b) == -between(b, a)``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        first = self._tables.get(start.year) or self._build(start.year)
        i = start.toordinal() - first.first_ordinal
        if start.year == end.year:
            j = end.toordinal() - first.first_ordinal
            return first.counts[j + 1] - first.counts[i + 1]
        total = first.counts[-1] - first.counts[i + 1]
        for year in range(start.year + 1, end.year):
            total += (self._tables.get(year) or self._build(year)).counts[-1]
        last = self._tables.get(end.year) or self._build(end.year)
        return total + last.counts[end.toordinal() - last.first_ordinal + 1]

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start``; ``start`` itself never counts.

        ``n == 0`` returns ``start`` unchanged (an instant item is due the day
        it is accepted, working day or not). For ``n >= 1`` the result is
        always a working day, and ``working_days_between(start, result) == n``.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        if n == 0:
            return start
        table = self._tables.get(start.year) or self._build(start.year)
        target = table.counts[start.toordinal() - table.first_ordinal + 1] + n
        year = start.year
        while target > table.counts[-1]:
            target -= table.counts[-1]
            year += 1
            table = self._tables.get(year) or self._build(year)
        k = bisect_left(table.counts, target)
        return dt.date.fromordinal(table.first_ordinal + k - 1)

    def next_working_day(self, day: dt.date) -> dt.date:
        """The first working day strictly after ``day``."""
        return self.add_working_days(day, 1)

    # -- building --------------------------------------------------------

    def _build(self, year: int) -> _YearTable:
        """Precompute one year.

        Loading the single year is enough: make-up days listed in another
        year's notice (2002's New Year holiday was worked on 2001-12-29) are
        put into ``weekend_workdays`` when the instance is constructed.
        """
        official = holidays.China(years=year, language=self._language)
        off_days = {day for day in official if day.year == year}
        make_up = {day for day in official.weekend_workdays if day.year == year}
        names = {day: official[day] for day in off_days}

        jan1 = dt.date(year, 1, 1)
        n_days = (dt.date(year + 1, 1, 1) - jan1).days
        working = bytearray(n_days)
        for i in range(n_days):
            day = jan1 + dt.timedelta(days=i)
            if day.weekday() >= 5:
                working[i] = day in make_up
            else:
                working[i] = day not in off_days
        for day, override in self._overrides.items():
            if day.year != year:
                continue
            working[(day - jan1).days] = override.kind == "workday"
            if override.name:
                names[day] = override.name
            elif override.kind == "workday":
                names.pop(day, None)

        counts = [0] * (n_days + 1)
        running = 0
        for i, flag in enumerate(working):
            running += flag
            counts[i + 1] = running
        table = _YearTable(jan1.toordinal(), bytes(working), counts, names)
        self._tables[year] = table
        return table
