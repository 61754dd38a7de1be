"""Tables of the reviews module (好差评, GB/T 39734-2020): reviews, the rectification
of bad ones, call-backs to the applicant and an append-only log of what was done."""

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

from core.cases.tables import Case
from core.tenancy.tables import Staff, Unit


class Review(Table, tablename="reviews_review"):
    """One rating of a case: once online, and once per on-site visit.

    ``key`` enforces that: ``online:<case>`` or ``site:<case>:<event seq of the visit>``.
    """

    key = Varchar(length=64, unique=True)
    case = ForeignKey(Case, index=True)
    kind = Varchar(length=8)  # online | site
    channel = Varchar(length=16)  # status_page | link | tablet
    visit_seq = Integer(null=True, default=None)  # the case event of the visit (site)
    overall = SmallInt()  # 5 very satisfied … 1 very dissatisfied
    efficiency = SmallInt(null=True, default=None)
    guide = SmallInt(null=True, default=None)  # accuracy of the service guide
    convenience = SmallInt(null=True, default=None)
    attitude = SmallInt(null=True, default=None)
    reasons = JSON(default=[])  # reason codes (core.reviews.levels.REASONS)
    comment = Text(default="")
    unit = ForeignKey(Unit, index=True)  # the unit that handled the case (or the visit)
    staff = ForeignKey(Staff, null=True)  # whose tablet it was given on
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
    overturned = Boolean(default=False)  # a bad review voided on appeal: not counted


class Rectification(Table, tablename="reviews_rectification"):
    """The follow-up a bad review opens at the unit that handled the case.

    It ends rectified, explained, or overturned on appeal; an appeal the
    supervisor rejects sends it back to ``open``.
    """

    review = ForeignKey(Review, unique=True)
    unit = ForeignKey(Unit, index=True)
    scope_path = Varchar(length=512, index=True, default="")  # the case's, for supervisors
    state = Varchar(length=16, default="open", index=True)
    # open | appealed | rectified | explained | overturned
    opened_at = Timestamptz(default=TimestamptzNow())
    due_on = Date()
    resolution = Text(default="")  # what was put right, or the explanation given
    closed_at = Timestamptz(null=True, default=None)
    closed_by = ForeignKey(Staff, null=True)
    appeal_reason = Text(default="")
    appealed_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    decided_at = Timestamptz(null=True, default=None)
    decided_by = ForeignKey(Staff, null=True)
    version = Integer(default=0)  # optimistic lock: two people acting at once


class CallBack(Table, tablename="reviews_callback"):
    """A call to the applicant about a bad review (回访). One is required to close."""

    rectification = ForeignKey(Rectification, index=True)
    at = Timestamptz(default=TimestamptzNow())
    staff = ForeignKey(Staff)
    staff_name = Varchar(length=64, default="")
    reached = Boolean(default=True)
    satisfied = Boolean(null=True, default=None)  # the applicant's view after the call
    summary = Text()


class ReviewAction(Table, tablename="reviews_action"):
    """Append-only: everything done about a bad review, by whom and when."""

    rectification = ForeignKey(Rectification, index=True)
    at = Timestamptz(default=TimestamptzNow())
    staff = ForeignKey(Staff, null=True)
    staff_name = Varchar(length=64, default="")
    action = Varchar(
        length=16
    )  # opened | callback | rectified | explained | appealed | upheld | overturned
    note = Text(default="")
