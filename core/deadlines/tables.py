"""The site's calendar overrides, editable by a city admin, and their audit trail.

``site.toml``'s ``[calendar.overrides]`` are the deployment's defaults; rows
here win over them, because the year's schedule is often published after
the site went live.
"""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.tenancy.tables import Staff


class CalendarOverride(Table, tablename="deadlines_calendar_override"):
    day = Date(unique=True)
    kind = Varchar(length=8)  # workday | holiday
    name = Varchar(length=64, default="")
    changed_by = ForeignKey(Staff, null=True)
    changed_at = Timestamptz(default=TimestamptzNow())


class CalendarChange(Table, tablename="deadlines_calendar_change"):
    """Append-only: who set or removed which day, and when."""

    day = Date(index=True)
    action = Varchar(length=8)  # set | remove
    kind = Varchar(length=8, default="")
    name = Varchar(length=64, default="")
    changed_by = ForeignKey(Staff, null=True)
    changed_by_name = Varchar(length=64, default="")
    changed_at = Timestamptz(default=TimestamptzNow())
