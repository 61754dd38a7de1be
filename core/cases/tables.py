"""Tables of the case module: cases, their append-only events, tasks, sequences."""

from __future__ import annotations

from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.catalog.tables import ItemVersion
from core.residents.tables import Resident
from core.tenancy.tables import Staff, Unit


class Case(Table, tablename="cases_case"):
    tracking_code = Varchar(length=24, null=True, default=None, unique=True)
    item_code = Varchar(length=32, index=True)
    item_version = ForeignKey(ItemVersion)
    state = Varchar(length=32, index=True)
    outcome = Varchar(length=16, default="")  # approved | denied once decided
    resident = ForeignKey(Resident, null=True)
    data_enc = Text(default="")  # the form values, encrypted (they hold personal data)
    channel = Varchar(length=16, default="proxy")  # proxy | window | online
    filed_unit = ForeignKey(Unit, index=True)
    filed_by = ForeignKey(Staff, null=True)
    accepting_unit = ForeignKey(Unit, null=True, index=True)
    scope_path = Varchar(
        length=512, index=True, default=""
    )  # filing unit's path, for subtree queries
    current_step = Varchar(length=64, default="")
    idempotency_key = Varchar(length=80, null=True, default=None, unique=True)
    fee_total = Varchar(length=24, default="0")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    submitted_at = Timestamptz(null=True, default=None)
    accepted_at = Timestamptz(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    due_on = Date(null=True, default=None)
    light = Varchar(length=8, default="")
    light_changes_at = Timestamptz(null=True, default=None, index=True)
    last_event_hash = Varchar(length=64, default="")
    event_count = Integer(default=0)


class CaseEvent(Table, tablename="cases_event"):
    """Append-only. Each event carries the hash of the previous one (a chain per case)."""

    case = ForeignKey(Case, index=True)
    seq = Integer()
    kind = Varchar(length=32)
    from_state = Varchar(length=32, default="")
    to_state = Varchar(length=32, default="")
    actor = ForeignKey(Staff, null=True)
    actor_name = Varchar(length=64, default="")
    unit = ForeignKey(Unit, null=True)
    at = Timestamptz(default=TimestamptzNow())
    reason = Text(default="")
    payload = JSONB(default={})
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, default="")


class Task(Table, tablename="cases_task"):
    """One workflow step of one case, assigned to a unit (and optionally a person)."""

    case = ForeignKey(Case, index=True)
    step_id = Varchar(length=64)
    parent_step = Varchar(length=64, default="")  # the parallel step a branch belongs to
    unit = ForeignKey(Unit, index=True)
    role = Varchar(length=32)
    assignee = ForeignKey(Staff, null=True)
    state = Varchar(length=16, default="open", index=True)  # open | done | cancelled
    outcome = Varchar(length=16, default="")
    opinion = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    due_on = Date(null=True, default=None)
    completed_at = Timestamptz(null=True, default=None)
    completed_by = ForeignKey(Staff, null=True)
    silent = Boolean(default=False)  # closed by silence-is-consent


class TrackingSequence(Table, tablename="cases_tracking_sequence"):
    """Daily counters per division prefix, bumped with one atomic upsert."""

    prefix = Varchar(length=16, unique=True)
    last = Integer(default=0)
