"""Tables of the reports module: pre-aggregated counts, what each case contributed,
reconciliation runs and the monthly reports.

The dashboards never scan cases. They read three aggregate tables, each kept
per unit path prefix — a case filed at a village adds to the village, its
township, its district and the city — so a unit's figures are rows with
``scope = its path`` and its children's are rows with ``parent = its path``:

- :class:`ReportDay`: counts per scope × site-local day × item;
- :class:`ReportHandling`: a histogram of handling days per scope × day ×
  item (percentiles need the distribution, not just a sum);
- :class:`ReportNow`: gauges (open now, red now) per scope × item.

:class:`ReportCursor` holds, per case, exactly what that case has added to
the aggregates. Counting a case again compares what it should contribute
now with what it did, and applies the difference: counting twice adds
nothing, messages may arrive in any order, and reconciliation can tell a
case that was never counted from one whose facts changed.

The composite unique keys are created by a raw migration (Piccolo declares
single-column constraints only).
"""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.tenancy.tables import Staff, Unit


class ReportDay(Table, tablename="reports_day"):
    """Counts of one scope, one day, one item. Unique on (scope, day, item_code)."""

    scope = Varchar(length=512)
    parent = Varchar(length=512, default="")
    day = Date()
    item_code = Varchar(length=32)
    filed = Integer(default=0)
    filed_proxy = Integer(default=0)  # filed by a village agent (channel "proxy")
    accepted = Integer(default=0)
    finished = Integer(default=0)  # decided: approved or denied
    approved = Integer(default=0)
    denied = Integer(default=0)
    on_time = Integer(default=0)  # finished by the due date
    visits_le1 = Integer(default=0)  # finished, item needs at most one visit (最多跑一次)
    visits_0 = Integer(default=0)  # finished, item needs no visit at all
    handling_sum = Integer(default=0)  # working days, summed over finished cases
    reviews = Integer(default=0)
    reviews_good = Integer(default=0)  # basically satisfied or better
    reviews_bad = Integer(default=0)  # dissatisfied or very dissatisfied
    score_sum = Integer(default=0)  # overall level (1-5), summed
    efficiency_sum = Integer(default=0)
    efficiency_n = Integer(default=0)
    guide_sum = Integer(default=0)
    guide_n = Integer(default=0)
    convenience_sum = Integer(default=0)
    convenience_n = Integer(default=0)
    attitude_sum = Integer(default=0)
    attitude_n = Integer(default=0)


class ReportHandling(Table, tablename="reports_handling"):
    """How many cases finished on ``day`` took ``days`` working days. Unique on
    (scope, day, item_code, days)."""

    scope = Varchar(length=512)
    parent = Varchar(length=512, default="")
    day = Date()
    item_code = Varchar(length=32)
    days = SmallInt()
    cases = Integer(default=0)


class ReportNow(Table, tablename="reports_now"):
    """Gauges: cases open and cases overdue (red) right now. Unique on (scope, item_code)."""

    scope = Varchar(length=512)
    parent = Varchar(length=512, default="")
    item_code = Varchar(length=32)
    open = Integer(default=0)
    red = Integer(default=0)


class ReportCursor(Table, tablename="reports_cursor"):
    """What one case has contributed to the aggregates (see the module docstring)."""

    case = Integer(unique=True)  # the case id (no foreign key: a plain, fast lookup)
    version = Integer(default=0)  # the case's event count when last counted
    rev = Integer(default=0)  # bumped on every write: the optimistic lock
    scope = Varchar(length=512, default="")
    item_code = Varchar(length=32, default="")
    filed_on = Date(null=True, default=None, index=True)
    proxy = Boolean(default=False)
    accepted_on = Date(null=True, default=None, index=True)
    decided_on = Date(null=True, default=None, index=True)
    approved = Boolean(default=False)
    on_time = Boolean(default=False)
    handling_days = Integer(default=0)
    visits = Integer(default=0)
    open = Boolean(default=False)
    red = Boolean(default=False, index=True)  # the red list reads these few rows by index
    # [[day, overall, efficiency, guide, convenience, attitude], …]: the reviews counted
    reviews = JSON(default=[])
    counted_at = Timestamptz(default=TimestamptzNow())


class ReconciliationRun(Table, tablename="reports_reconciliation"):
    """One reconciliation: what it checked, what had drifted, what it repaired."""

    run_on = Date(index=True)  # the site-local day it ran for (nightly: one per day)
    trigger = Varchar(length=16, default="nightly")  # nightly | command
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    # Touched by the running job every reconcile.HEARTBEAT: an unfinished run not heard
    # from for periodic.STALE_RUN lost its worker, and is redone.
    heartbeat_at = Timestamptz(null=True, default=None)
    # The nightly run that took this one over, its heartbeat having stopped (a worker
    # gone, or a database stalled that long): a live run seeing it stops at once, its
    # work left to that one (neither done nor failed for the night).
    superseded_by = Integer(null=True, default=None)
    window_from = Date(null=True, default=None)
    window_to = Date(null=True, default=None)
    repair = Boolean(default=True)
    cases_checked = Integer(default=0)
    cases_uncounted = Integer(default=0)  # never counted, or an event's message was lost
    cases_changed = Integer(default=0)  # counted, but their facts changed since
    days_checked = Integer(default=0)
    days_drifted = Integer(default=0)
    gauges_drifted = Integer(default=0)
    samples = JSON(default=[])  # a few drifted figures, for people to look at
    error = Text(default="")


class MonthlyReport(Table, tablename="reports_monthly"):
    """A township's figures for one month, compiled on the 1st working day and
    confirmed (submitted upward) by the township."""

    key = Varchar(length=48, unique=True)  # "<unit id>:<YYYY-MM>"
    unit = ForeignKey(Unit, index=True)
    period = Date(index=True)  # the first day of the month reported on
    figures = JSON(default={})
    compiled_at = Timestamptz(default=TimestamptzNow())
    state = Varchar(length=16, default="compiled")  # compiled | confirmed
    confirmed_by = ForeignKey(Staff, null=True)
    confirmed_by_name = Varchar(length=64, default="")
    confirmed_at = Timestamptz(null=True, default=None)
    note = Text(default="")
