"""Time-limit clocks: when a case is due and how much of its limit is used.

A clock counts **whole working days**, the way a 政务服务 window clerk
counts them on a paper calendar ("今天是第3个工作日，还剩2天"). The time of
day never matters, only which site-local day a moment falls on (Asia/Shanghai
by default, see :class:`~core.deadlines.calendar.WorkingCalendar`). The rules:

1. **The acceptance day does not count** (受理当日不计入). Day 1 is the first
   working day after the acceptance date, whatever the hour of acceptance; a
   case accepted on a Saturday (online, or at a weekend window) starts
   counting on the next working day too.
2. **A day is used from its start.** On day *k* the clock reads *k* days
   used; on the due date it reads the full limit (100 %, "还剩0天": today is
   the last day). The case becomes overdue at local midnight after the due
   date.
3. **A pause covers the working days after the day it starts, up to and
   including the day it ends** (``(start day, end day]``), mirroring rule 1:
   the day a supplement notice is issued (补正/一次性告知) was a working day
   on the case and counts; the day the materials come back is like a new
   acceptance day and does not; counting resumes the working day after.
   Consequently **a pause that starts and ends on the same day costs
   nothing**: the resident who fetches a missing copy over lunch does not
   move the due date. Overlapping pauses (a supplement during a suspension)
   are merged, so a day is never given back twice; a pause before
   acceptance is clipped to the acceptance day.
4. **A pause only delays what is still to come.** A case already overdue
   when a pause starts stays overdue.

Everything is computed "as of" a moment ``at``: pauses that start after
``at`` are ignored and a pause still open at ``at`` is treated as if the
case resumed at ``at``, which makes the due date a projection ("if the
materials arrived today, the case would be due on ...").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from core.deadlines.calendar import WorkingCalendar

__all__ = ["Clock", "ClockState", "Pause", "PauseKind"]

#: supplement = 补正 (clock stops until the materials arrive);
#: suspended = 中止/特别程序 (hearing, expert review, inspection...).
PauseKind = Literal["supplement", "suspended"]


def _require_aware(moment: dt.datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment!r}")


@dataclass(frozen=True, slots=True)
class Pause:
    """An interval during which the clock stops; ``end=None`` means still paused.

    ``kind`` is kept for display and reports; both kinds stop the clock alike.
    """

    start: dt.datetime
    end: dt.datetime | None = None
    kind: PauseKind = "supplement"

    def __post_init__(self) -> None:
        _require_aware(self.start, "pause start")
        if self.end is not None:
            _require_aware(self.end, "pause end")
            if self.end < self.start:
                raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class ClockState:
    """A snapshot of a clock at one moment, computed in one pass for the sweep."""

    at: dt.datetime
    used_days: int
    """Working days counted so far (may exceed the limit when overdue)."""
    remaining_days: int
    """``limit_days - used_days``; negative means that many working days late."""
    share_used: float
    due_date: dt.date
    overdue: bool
    paused: bool


@dataclass(frozen=True, slots=True)
class Clock:
    """The time-limit clock of one case (or one parallel-approval branch).

    ``limit_days`` is the statutory or committed limit in working days; 0 is
    allowed for an instant item, due on the day of acceptance.
    """

    accepted_at: dt.datetime
    limit_days: int
    calendar: WorkingCalendar
    pauses: tuple[Pause, ...] = field(default=())
    _accepted_on: dt.date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _require_aware(self.accepted_at, "accepted_at")
        # Cached: the sweep asks for it several times per case.
        object.__setattr__(self, "_accepted_on", self.calendar.local_date(self.accepted_at))
        if self.limit_days < 0:
            raise ValueError(f"limit_days must be >= 0, got {self.limit_days}")
        if not isinstance(self.pauses, tuple):
            object.__setattr__(self, "pauses", tuple(self.pauses))

    def with_pauses(self, pauses: Iterable[Pause]) -> Clock:
        """A copy with another list of pauses (clocks are immutable)."""
        return Clock(self.accepted_at, self.limit_days, self.calendar, tuple(pauses))

    # -- the moment --------------------------------------------------------

    @property
    def accepted_on(self) -> dt.date:
        """The site-local acceptance date: day 0 of the count."""
        return self._accepted_on

    def is_paused(self, at: dt.datetime) -> bool:
        """True when a pause has started by ``at`` and not ended by then."""
        _require_aware(at, "at")
        return any(p.start <= at and (p.end is None or p.end > at) for p in self.pauses)

    def _paused_spans(self, at: dt.datetime) -> list[tuple[dt.date, dt.date]]:
        """Merged ``(first, last]`` date spans of the pauses known at ``at``.

        Only spans that cover at least one calendar day are returned; spans
        are clipped to start no earlier than the acceptance day.
        """
        local = self.calendar.local_date
        accepted_on = self.accepted_on
        spans: list[tuple[dt.date, dt.date]] = []
        for pause in self.pauses:
            if pause.start > at:
                continue
            end = at if pause.end is None or pause.end > at else pause.end
            first = max(local(pause.start), accepted_on)
            last = local(end)
            if last > first:
                spans.append((first, last))
        spans.sort()
        merged: list[tuple[dt.date, dt.date]] = []
        for first, last in spans:
            if merged and first <= merged[-1][1]:
                if last > merged[-1][1]:
                    merged[-1] = (merged[-1][0], last)
            else:
                merged.append((first, last))
        return merged

    # -- counting ------------------------------------------------------------

    def used_days(self, at: dt.datetime) -> int:
        """Working days counted by the start of ``at``'s local day (rules 1-3)."""
        _require_aware(at, "at")
        return self._used(self.calendar.local_date(at), self._paused_spans(at))

    def nth_counted_day(self, n: int, at: dt.datetime) -> dt.date:
        """The date on which the n-th day of the limit is counted, as known at ``at``.

        Pauses after ``at`` are not foreseen. ``n == 0`` is the acceptance date.
        With ``n == limit_days`` this is the due date.
        """
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        _require_aware(at, "at")
        return self._nth(n, self._paused_spans(at))

    def _used(self, today: dt.date, spans: list[tuple[dt.date, dt.date]]) -> int:
        accepted_on = self.accepted_on
        if today <= accepted_on:
            return 0
        between = self.calendar.working_days_between
        used = between(accepted_on, today)
        for first, last in spans:  # all end by ``today``: they were cut at ``at``
            used -= between(first, last)
        return used

    def _nth(self, n: int, spans: list[tuple[dt.date, dt.date]]) -> dt.date:
        between = self.calendar.working_days_between
        cursor = self.accepted_on
        remaining = n
        for first, last in spans:
            if remaining == 0:
                break
            before = between(cursor, first)
            if before >= remaining:
                break
            remaining -= before
            cursor = last
        return self.calendar.add_working_days(cursor, remaining)

    def due_date(self, at: dt.datetime) -> dt.date:
        """The last day of the limit, as known at ``at`` (a projection while paused)."""
        return self.nth_counted_day(self.limit_days, at)

    def share_used(self, at: dt.datetime) -> float:
        """``used_days / limit_days``; 1.0 for an instant item (limit 0)."""
        if self.limit_days == 0:
            return 1.0
        return self.used_days(at) / self.limit_days

    def is_overdue(self, at: dt.datetime) -> bool:
        """True from local midnight after the due date."""
        return self.calendar.local_date(at) > self.due_date(at)

    def state(self, at: dt.datetime) -> ClockState:
        """Everything a list view or the sweep needs about this clock at ``at``."""
        _require_aware(at, "at")
        today = self.calendar.local_date(at)
        spans = self._paused_spans(at)
        used = self._used(today, spans)
        due = self._nth(self.limit_days, spans)
        return ClockState(
            at=at,
            used_days=used,
            remaining_days=self.limit_days - used,
            share_used=1.0 if self.limit_days == 0 else used / self.limit_days,
            due_date=due,
            overdue=today > due,
            paused=self.is_paused(at),
        )
