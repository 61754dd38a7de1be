"""What one case contributes to the figures, as a pure function of its facts.

The aggregator (as cases change), the reconciliation (recomputing from the
cases) and the benchmark's full scan all use :func:`case_figures`, so the
three cannot disagree about what a figure means:

- **filed** on the site-local day the case was submitted; **filed by an
  agent** when its channel is ``proxy``;
- **accepted** on the day it was accepted;
- **finished** (办结) on the day it was decided, approved or denied. A
  refusal to accept (不予受理) or a withdrawal — which the applicant can only
  make before the decision — is not a finished case. Finished means decided,
  not issued (出证): a result held for its fees is finished, and approved, on
  its decision day, whether it is issued when paid or never;
- **handling days**: the working days its time-limit clock counted from
  acceptance to decision — the acceptance day not counted, supplements and
  suspensions excluded (:class:`core.deadlines.clock.Clock`);
- **on time**: decided no later than its due date;
- **at most one visit** / **no visit**: the item version it was filed under
  needs ≤ 1 / 0 on-site visits (到现场次数);
- **open now** / **red now**: a gauge, true while the case is open / while
  its time-limit light is red and its clock runs (decided cases leave it).
  A case is red too while one of its open steps is past the step's own limit
  — a parallel branch late while the case as a whole is still in time: the
  case is stalled there, the step was escalated, and the supervisor must find
  it among the overdue. Counted once, however many of its steps are late;
- **reviews**: every review not overturned on appeal, on the day it was given.

**A lapse** (``lapse``: fees of a held result not paid by the pay-by day, the
case moves approved → withdrawn, 视为撤回申请; :mod:`core.payments.lapse`)
changes none of these figures:

- the case stays **finished**, **approved**, **on time** or not, with its
  **handling days** (and its visits), on the day it was *decided*: the
  department decided it, and when, whatever the applicant does afterwards.
  The figures of a day (and a month's report, frozen on the first working
  day of the next) do not move weeks later because fees went unpaid, and a
  lapse does not lower a department's 办结率 or 按时办结率;
- it was **filed** and **accepted** on its days, like any case;
- like a plain withdrawal, it is neither **open now** nor **red now** (nor on
  the red list): its clock stopped at the decision, and a held case waiting
  for payment is not open either;
- nothing is counted on the day of the lapse: a withdrawal has no figure of
  its own, before or after a decision.

The facts this rests on — ``outcome`` and ``decided_at`` kept by the lapse,
the state leaving approved for withdrawn — are all on the case row, so the
aggregator and the reconciliation see the same lapsed case.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from core.cases.states import CLOCK_STATES, OPEN_STATES
from core.deadlines.calendar import WorkingCalendar
from core.deadlines.clock import Clock, Pause

# The day-count columns of ReportDay, in a fixed order.
CASE_COLUMNS = (
    "filed",
    "filed_proxy",
    "accepted",
    "finished",
    "approved",
    "denied",
    "on_time",
    "visits_le1",
    "visits_0",
    "handling_sum",
)
DIMENSIONS = ("efficiency", "guide", "convenience", "attitude")
REVIEW_COLUMNS = (
    "reviews",
    "reviews_good",
    "reviews_bad",
    "score_sum",
    *(f"{d}_{x}" for d in DIMENSIONS for x in ("sum", "n")),
)
DAY_COLUMNS = CASE_COLUMNS + REVIEW_COLUMNS
MAX_HANDLING_DAYS = 999  # the histogram's last bucket holds anything longer
GOOD_LEVEL = 3  # basically satisfied (基本满意) or better is a good review


@dataclass(frozen=True)
class ReviewFigures:
    """One counted review: its day, overall level and dimension levels (None: not rated)."""

    day: date
    overall: int
    efficiency: int | None = None
    guide: int | None = None
    convenience: int | None = None
    attitude: int | None = None

    def as_list(self) -> list:
        return [
            self.day.isoformat(),
            self.overall,
            self.efficiency,
            self.guide,
            self.convenience,
            self.attitude,
        ]

    @classmethod
    def from_list(cls, raw: list) -> ReviewFigures:
        day = raw[0] if isinstance(raw[0], date) else date.fromisoformat(raw[0])
        return cls(day, *raw[1:6])


@dataclass(frozen=True)
class CaseFigures:
    """Everything one case adds to the aggregates."""

    scope: str
    item_code: str
    filed_on: date | None = None
    proxy: bool = False
    accepted_on: date | None = None
    decided_on: date | None = None
    approved: bool = False
    on_time: bool = False
    handling_days: int = 0
    visits: int = 0
    open: bool = False
    red: bool = False
    reviews: tuple[ReviewFigures, ...] = field(default=())

    def day_counts(self) -> dict[date, Counter]:
        """The case's counts per day (its own scope and item; ancestors added on writing)."""
        days: dict[date, Counter] = {}

        def add(day: date, **columns: int) -> None:
            days.setdefault(day, Counter()).update(columns)

        if self.filed_on:
            add(self.filed_on, filed=1, filed_proxy=int(self.proxy))
        if self.accepted_on:
            add(self.accepted_on, accepted=1)
        if self.decided_on:
            add(
                self.decided_on,
                finished=1,
                approved=int(self.approved),
                denied=int(not self.approved),
                on_time=int(self.on_time),
                visits_le1=int(self.visits <= 1),
                visits_0=int(self.visits == 0),
                handling_sum=self.handling_days,
            )
        for review in self.reviews:
            counts = {
                "reviews": 1,
                "reviews_good": int(review.overall >= GOOD_LEVEL),
                "reviews_bad": int(review.overall < GOOD_LEVEL),
                "score_sum": review.overall,
            }
            for dimension in DIMENSIONS:
                level = getattr(review, dimension)
                if level is not None:
                    counts[f"{dimension}_sum"] = level
                    counts[f"{dimension}_n"] = 1
            add(review.day, **counts)
        return days

    def handling(self) -> tuple[date, int] | None:
        """(decision day, handling-days bucket) for a finished case."""
        if not self.decided_on:
            return None
        return self.decided_on, min(self.handling_days, MAX_HANDLING_DAYS)

    def gauges(self) -> Counter:
        return Counter(open=int(self.open), red=int(self.red))


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC timestamps; PostgreSQL aware ones."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def case_figures(
    case: dict,
    *,
    pauses: list[Pause],
    calendar: WorkingCalendar,
    visits: int,
    reviews: tuple[ReviewFigures, ...] = (),
    late_step: bool = False,
) -> CaseFigures:
    """The figures of a case row (``scope_path``, ``item_code``, ``channel``, ``state``,
    ``light``, ``submitted_at``, ``accepted_at``, ``decided_at``, ``outcome``,
    ``limit_days``), its clock pauses and its item version's visits; ``late_step``: one
    of its open steps has a red light of its own."""
    local = calendar.local_date
    submitted = aware(case["submitted_at"])
    accepted = aware(case["accepted_at"])
    decided = aware(case["decided_at"])
    decided_on = None
    on_time = False
    handling_days = 0
    if decided is not None and accepted is not None and case["outcome"] in ("approved", "denied"):
        clock = Clock(accepted, case["limit_days"] or 0, calendar, tuple(pauses))
        state = clock.state(decided)
        decided_on = local(decided)
        handling_days = state.used_days
        on_time = not state.overdue
    return CaseFigures(
        scope=case["scope_path"],
        item_code=case["item_code"],
        filed_on=local(submitted) if submitted else None,
        proxy=case["channel"] == "proxy",
        accepted_on=local(accepted) if accepted else None,
        decided_on=decided_on,
        approved=case["outcome"] == "approved" and decided_on is not None,
        on_time=on_time,
        handling_days=handling_days,
        visits=visits,
        open=case["state"] in OPEN_STATES,
        red=(case["light"] == "red" or late_step) and case["state"] in CLOCK_STATES,
        reviews=tuple(sorted(reviews, key=lambda r: (r.day, r.overall))),
    )


def ancestors(path: str) -> list[tuple[str, str]]:
    """``(scope, parent)`` for every prefix of a unit path, the root first.

    ``/a/b/c/`` → ``[("/a/", ""), ("/a/b/", "/a/"), ("/a/b/c/", "/a/b/")]``.
    """
    parts = [p for p in path.split("/") if p]
    result = []
    parent = ""
    for i in range(len(parts)):
        scope = "/" + "/".join(parts[: i + 1]) + "/"
        result.append((scope, parent))
        parent = scope
    return result


@dataclass
class Delta:
    """Changes to apply to the aggregate tables, keyed by leaf scope (expanded on writing)."""

    days: dict[tuple[str, date, str], Counter] = field(default_factory=dict)
    handling: Counter = field(default_factory=Counter)  # (scope, day, item, days) -> cases
    now: dict[tuple[str, str], Counter] = field(default_factory=dict)

    def add(self, figures: CaseFigures, sign: int) -> None:
        for day, counts in figures.day_counts().items():
            bucket = self.days.setdefault((figures.scope, day, figures.item_code), Counter())
            for column, value in counts.items():
                bucket[column] += sign * value
        handled = figures.handling()
        if handled:
            self.handling[(figures.scope, handled[0], figures.item_code, handled[1])] += sign
        gauges = self.now.setdefault((figures.scope, figures.item_code), Counter())
        for column, value in figures.gauges().items():
            gauges[column] += sign * value

    def prune(self) -> Delta:
        """Drop zero entries (a recount that changed nothing writes nothing)."""
        days = {}
        for key, counts in self.days.items():
            kept = Counter({c: v for c, v in counts.items() if v})
            if kept:
                days[key] = kept
        now = {}
        for key, counts in self.now.items():
            kept = Counter({c: v for c, v in counts.items() if v})
            if kept:
                now[key] = kept
        handling = Counter({k: v for k, v in self.handling.items() if v})
        return Delta(days=days, handling=handling, now=now)

    def __bool__(self) -> bool:
        return bool(self.days or self.handling or self.now)


def difference(old: CaseFigures | None, new: CaseFigures | None) -> Delta:
    """What to add to the aggregates so that they hold ``new`` instead of ``old``."""
    delta = Delta()
    if old is not None:
        delta.add(old, -1)
    if new is not None:
        delta.add(new, +1)
    return delta.prune()
