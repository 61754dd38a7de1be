"""Tables of the payments module: what a case owes, the funds received, the receipts.

Funds and receipts are kept apart (收缴分离): a :class:`Payment` row records
money a channel (a bank counter) collected, entered by the channel's staff;
a :class:`Receipt` is issued by the core with its own number, never by the
channel or the department that assessed the fee. Amounts are integer fen.
"""

from __future__ import annotations

from piccolo.columns import JSONB, BigInt, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.cases.tables import Case
from core.tenancy.tables import Staff, Unit


class Assessment(Table, tablename="payments_assessment"):
    """The fees assessed on one case, payable under one payment code (缴款识别码)."""

    case = ForeignKey(Case, unique=True)
    payment_code = Varchar(length=20, unique=True)
    total_fen = BigInt()
    assessed_on = Date()  # the day the amounts apply (the filing date)
    status = Varchar(length=16, default="due", index=True)  # due | paid
    created_at = Timestamptz(default=TimestamptzNow())
    paid_at = Timestamptz(null=True, default=None)


class AssessedFee(Table, tablename="payments_assessed_fee"):
    """One line of an assessment, as computed when the case was filed."""

    assessment = ForeignKey(Assessment, index=True)
    position = Integer()
    code = Varchar(length=64)
    kind = Varchar(length=8)  # fee | tax
    name = Varchar(length=200)
    name_en = Varchar(length=200, default="")
    amount_fen = BigInt()
    legal_basis = Text(default="")
    payer = Varchar(length=64, default="")
    payer_en = Varchar(length=64, default="")
    basis = Text(default="")
    basis_en = Text(default="")


class Payment(Table, tablename="payments_payment"):
    """Funds a channel collected for an assessment: recorded by the channel's staff."""

    assessment = ForeignKey(Assessment, unique=True)  # paid in full, once
    channel = Varchar(length=32)
    channel_ref_key = Varchar(length=80, unique=True)  # "<channel>:<bank reference>"
    reference = Varchar(length=64)
    amount_fen = BigInt()
    account = Varchar(length=32)  # treasury | non_tax_revenue | both
    unit = ForeignKey(Unit)  # where the money was taken (the bank outlet)
    recorded_by = ForeignKey(Staff)
    paid_at = Timestamptz(default=TimestamptzNow())


class Receipt(Table, tablename="payments_receipt"):
    """The receipt the core issues once funds are recorded, with its own number."""

    payment = ForeignKey(Payment, unique=True)
    number = Varchar(length=24, unique=True)
    amount_fen = BigInt()
    lines = JSONB(default=[])  # what was paid for, as printed
    issued_at = Timestamptz(default=TimestamptzNow())


class ReceiptSequence(Table, tablename="payments_receipt_sequence"):
    """Yearly receipt counters per division, bumped with one atomic upsert."""

    prefix = Varchar(length=16, unique=True)
    last = Integer(default=0)
