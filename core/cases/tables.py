"""Tables of the case module: cases and bundles, their append-only events, tasks,
clock pauses, escalations, notifications and tracking sequences."""

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


class Bundle(Table, tablename="cases_bundle"):
    """One application (一件事) that created several linked cases."""

    bundle_code = Varchar(length=32)  # the declaration's code, e.g. "newborn"
    tracking_code = Varchar(length=24, unique=True)
    resident = ForeignKey(Resident, null=True)
    filed_unit = ForeignKey(Unit)
    filed_by = ForeignKey(Staff, null=True)
    scope_path = Varchar(length=512, index=True, default="")
    materials = JSONB(default=[])  # shared material codes handed in once for every case
    idempotency_key = Varchar(length=80, null=True, default=None, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Case(Table, tablename="cases_case"):
    tracking_code = Varchar(length=24, null=True, default=None, unique=True)
    item_code = Varchar(length=32, index=True)
    item_version = ForeignKey(ItemVersion)
    state = Varchar(length=32, index=True)
    outcome = Varchar(length=16, default="")  # approved | denied once decided
    resident = ForeignKey(Resident, null=True, index=True)  # a resident's page lists theirs
    data_enc = Text(default="")  # the form values, encrypted (they hold personal data)
    channel = Varchar(length=16, default="proxy")  # proxy | window | online
    filed_unit = ForeignKey(Unit, index=True)
    filed_by = ForeignKey(Staff, null=True, index=True)  # the workbench lists one's own
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
    light = Varchar(length=8, default="", index=True)  # the desk finds red and yellow ones
    light_changes_at = Timestamptz(null=True, default=None, index=True)
    last_event_hash = Varchar(length=64, default="")
    event_count = Integer(default=0)
    bundle = ForeignKey(Bundle, null=True, index=True)
    limit_days = Integer(default=0)  # the committed limit the clock runs against


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
    batch = Integer(default=0)  # the case event that opened this step (groups branches, signers)
    signer = Boolean(default=False)  # one officer's signature in a countersign step
    responsible = ForeignKey(Staff, null=True)  # delegated: who stays responsible
    claimed_at = Timestamptz(null=True, default=None)
    days = Integer(null=True, default=None)  # the step's own limit (None: the case's)
    light = Varchar(length=8, default="", index=True)  # the desk finds red and yellow ones
    light_changes_at = Timestamptz(null=True, default=None, index=True)


class CasePause(Table, tablename="cases_pause"):
    """A stretch during which the case's clocks stop: supplement or a suspension."""

    case = ForeignKey(Case, index=True)
    kind = Varchar(length=16)  # supplement | suspended
    started_at = Timestamptz()
    ended_at = Timestamptz(null=True, default=None)
    procedure = Varchar(length=64, default="")  # for a suspension: hearing, expert_review ...


class Escalation(Table, tablename="cases_escalation"):
    """A red light sent up to a supervisor; ``key`` makes each one happen once."""

    key = Varchar(length=96, unique=True)
    case = ForeignKey(Case, index=True)
    task = ForeignKey(Task, null=True)
    cause = Varchar(length=16)  # case_overdue | step_overdue
    unit = ForeignKey(Unit)  # the unit the overdue work sits at
    supervisor_unit = ForeignKey(Unit, null=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)


class Notification(Table, tablename="cases_notification"):
    """Every message sent about a case, once per event and recipient (``key``).

    This table is the default channel's record; plugins' channels (SMS,
    e-mail) deliver the same message and note the result in ``deliveries``.
    """

    key = Varchar(length=160, unique=True)
    case = ForeignKey(Case, index=True)
    event_seq = Integer()
    audience = Varchar(length=16)  # applicant | agent | supervisor
    resident = ForeignKey(Resident, null=True)
    staff = ForeignKey(Staff, null=True, index=True)
    subject = Varchar(length=200)
    body = Text()
    locale = Varchar(length=8, default="zh_CN")  # of subject and body: what channels deliver
    created_at = Timestamptz(default=TimestamptzNow())
    deliveries = JSONB(default={})
    sent_at = Timestamptz(null=True, default=None)
    # The message in every UI language, {locale: {"subject", "body"}}, so an inbox shows it
    # in its reader's language; empty on rows written before (they show subject and body).
    texts = JSONB(default={})


class TrackingSequence(Table, tablename="cases_tracking_sequence"):
    """Daily counters per division prefix, bumped with one atomic upsert."""

    prefix = Varchar(length=16, unique=True)
    last = Integer(default=0)
