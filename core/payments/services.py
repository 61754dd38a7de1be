"""Fees against cases: quote before filing, assess once filed, take payment, issue receipts.

Plain async functions; no web code. The flow (统一收费):

1. Before filing, :func:`quote` shows the agent what the application costs.
2. Once filed, :func:`assess` records the same computation against the case
   with a payment code (idempotent: the case-event hook and every reader call
   it, whichever comes first wins, the rest find it done).
3. The resident pays at any channel's counter: the channel's staff look the
   code up (:func:`lookup`) and record the funds they took
   (:func:`record_payment`); the core then issues the receipt with its own
   number, in the same transaction. The department never touches money.
4. A case approved while its fees were due waits, approved, for the payment
   (``tongban_issue_hold``: :func:`hold_issue_until_paid`) until its payment
   deadline (``pay_by``, the site's ``[payments] pay_within_days``); recording
   the payment issues its result in the payment's transaction, once. Past the
   deadline nothing more is taken, and :mod:`core.payments.lapse` ends the case.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

from core.cases import issuing, timing
from core.cases.filing import division_of
from core.cases.services import FILING_ROLES, case_detail, visible_case
from core.cases.tables import Case
from core.catalog.fees import (
    FeeComputationFailed,
    FeeContext,
    FeeQuote,
    compute_fees,
    from_fen,
    to_fen,
)
from core.catalog.forms import validate
from core.catalog.registry import get_catalog
from core.catalog.versions import item_for_version
from core.db import transaction
from core.errors import ItemNotAvailable, PermissionDenied, ValidationFailed
from core.payments import codes
from core.payments.channels import get_channels
from core.payments.errors import (
    AlreadyPaid,
    AmountInvalid,
    AmountMismatch,
    CaseNotPayable,
    ChannelNotAllowed,
    FeesUnpaid,
    NothingDue,
    PaymentCodeInvalid,
    PaymentDeadlinePassed,
    ReferenceInvalid,
    ReferenceUsed,
)
from core.payments.lapse import lapsed_pay_by
from core.payments.tables import AssessedFee, Assessment, Payment, Receipt, ReceiptSequence
from core.payments.terms import pay_by, payment_terms
from core.settings import site_today
from core.tenancy.scope import Principal
from core.tenancy.tables import Unit

log = logging.getLogger("tongban.payments")

# Once a case ends in one of these, nothing is owed on it any more.
NOT_PAYABLE_STATES = frozenset({"refused", "denied", "withdrawn"})


@dataclass(frozen=True)
class Line:
    code: str
    kind: str
    name: str
    name_en: str
    amount: Decimal
    legal_basis: str
    payer: str
    payer_en: str
    basis: str
    basis_en: str


@dataclass(frozen=True)
class ReceiptView:
    number: str
    amount: Decimal
    issued_at: datetime
    channel: str
    reference: str
    account: str


@dataclass(frozen=True)
class CaseFees:
    """What a case owes and whether it is paid; ``payment_code`` is None when nothing is due."""

    case_id: int
    lines: tuple[Line, ...]
    total: Decimal
    payment_code: str | None
    status: str  # none, or as :func:`standing` gives: due | paid | cancelled | lapsed
    receipt: ReceiptView | None
    pay_by: date | None = None  # the last day to pay a result held for these fees


@dataclass(frozen=True)
class DueView:
    """What a teller sees for a payment code: the amount and whose it is, nothing more."""

    payment_code: str
    item_code: str
    item_name: str
    item_name_en: str
    payer_masked: str
    lines: tuple[Line, ...]
    total: Decimal
    status: str  # as :func:`standing` gives: due | paid | cancelled | lapsed
    receipt: ReceiptView | None
    pay_by: date | None = None


# -- 1. quote -----------------------------------------------------------------------


def quote(
    principal: Principal, item_code: str, data: dict, *, unit_id: int | None = None
) -> FeeQuote:
    """The fees of filing ``item_code`` with ``data`` today, at the caller's filing unit.

    Raises ValidationFailed (with every field error) when the form is not
    complete enough to compute them.
    """
    memberships = principal.memberships_with(*FILING_ROLES)
    membership = next((m for m in memberships if unit_id in (None, m.unit_id)), None)
    if membership is None:
        raise PermissionDenied()
    item = get_catalog().items.get(item_code)
    if item is None:
        raise ItemNotAvailable(unit=membership.unit_name, reason="no such item")
    today = site_today()
    result = validate(item.form, data, computed=get_catalog().computed, today=today)
    if result.errors:
        raise ValidationFailed(result.errors)
    context = FeeContext(item_code=item.code, on=today, filing_unit_code=membership.unit_code)
    return compute_fees(item, result.values, context)


# -- 2. assess ----------------------------------------------------------------------


async def assess(case_id: int) -> int | None:
    """Record the fees of a filed case once. Returns the assessment id, or None if nothing is due.

    Deterministic: the amounts are computed from the case's stored values
    and item version, as of its filing date, exactly as quoted then.
    """
    existing = await Assessment.select(Assessment.id).where(Assessment.case == case_id).first()
    if existing:
        return existing["id"]
    case = await Case.select().where(Case.id == case_id).first()
    if case is None:
        return None
    detail = await case_detail(case)
    item = detail["item"]
    filed_unit = await Unit.select(Unit.code).where(Unit.id == case["filed_unit"]).first()
    on = site_today(case["submitted_at"] or case["created_at"])
    context = FeeContext(item_code=item.code, on=on, filing_unit_code=filed_unit["code"])
    fees = compute_fees(item, detail["values"], context)
    if not fees.lines:
        return None
    try:
        async with transaction():
            row = (
                await Assessment.insert(
                    Assessment(
                        case=case_id,
                        payment_code=codes.make_payment_code(division_of(filed_unit["code"])),
                        total_fen=to_fen(fees.total),
                        assessed_on=on,
                        status="due" if fees.payable else "paid",
                    )
                ).returning(Assessment.id)
            )[0]
            await AssessedFee.insert(
                *[
                    AssessedFee(
                        assessment=row["id"],
                        position=index,
                        code=line.code,
                        kind=line.kind,
                        name=line.name,
                        name_en=line.name_en,
                        amount_fen=to_fen(line.amount),
                        legal_basis=line.legal_basis,
                        payer=line.payer,
                        payer_en=line.payer_en,
                        basis=line.basis,
                        basis_en=line.basis_en,
                    )
                    for index, line in enumerate(fees.lines)
                ]
            )
            await Case.update({Case.fee_total: str(fees.total)}).where(Case.id == case_id)
    except Exception:
        # Another process assessed the same case at the same moment: theirs stands.
        again = await Assessment.select(Assessment.id).where(Assessment.case == case_id).first()
        if again:
            return again["id"]
        raise
    return row["id"]


async def unpaid(case_id: int) -> dict | None:
    """The fees of a case still to pay: ``{"amount", "payment_code"}``, or None (paid, waived, none).

    Assesses the case first if nobody has yet (the same computation as at
    filing), so a case filed a moment ago cannot slip through.
    """
    assessment_id = await assess(case_id)
    if assessment_id is None:
        return None  # nothing to pay
    row = await Assessment.select().where(Assessment.id == assessment_id).first()
    if row["status"] == "due" and row["total_fen"] > 0:
        return {"amount": f"{from_fen(row['total_fen']):.2f}", "payment_code": row["payment_code"]}
    return None


async def check_paid_before_issue(case: dict, action: str) -> None:
    """Refuse to issue the result of a case whose fees are due (paid or waived fees pass)."""
    if action != "issue" or case["state"] != "approved":
        return  # an issue the state does not allow is refused as such, by the cases module
    due = await unpaid(case["id"])
    if due is not None:
        raise FeesUnpaid(amount=due["amount"], code=due["payment_code"])


async def hold_issue_until_paid(case: dict) -> dict | None:
    """For ``tongban_issue_hold``: an approved case with fees due waits for the payment,
    until its deadline (``pay_by``, ISO date: the site's ``pay_within_days`` from today)."""
    due = await unpaid(case["id"])
    if due is None:
        return None
    deadline = payment_terms().deadline(site_today(timing.utcnow()))
    return {"awaiting": "payment", **due, "pay_by": deadline.isoformat()}


async def _deadline(case: dict, status: str) -> date | None:
    """The pay-by day of a case: while held for its fees, or the one a lapsed case missed."""
    if status == "lapsed":
        return await lapsed_pay_by(case["id"])
    if status != "due" or case["state"] != "approved":
        return None
    return await pay_by(case, await issuing.held(case))


def _overdue(deadline: date | None) -> bool:
    """Past the last day to pay (site time): nothing more may be taken."""
    return deadline is not None and site_today(timing.utcnow()) > deadline


async def standing(case: dict, stored: str) -> tuple[str, date | None]:
    """The status every view and payment check uses, and the pay-by day behind it.

    ``case`` needs its ``id`` and ``state``; ``stored`` is the assessment's
    status (due | paid | lapsed). Fees still due on a case that ended otherwise
    are no longer owed (``cancelled``); fees still due after the last day to pay
    are ``lapsed`` at once, before the periodic job (:mod:`core.payments.lapse`)
    records it, so no view offers, and no channel takes, a late payment.
    """
    deadline = await _deadline(case, stored)
    if stored == "due" and case["state"] in NOT_PAYABLE_STATES:
        return "cancelled", deadline
    if stored == "due" and _overdue(deadline):
        return "lapsed", deadline
    return stored, deadline


async def assess_quietly(case_id: int) -> None:
    """For the case-event hook: a plugin's failing fee rule is logged, and retried on next read."""
    try:
        await assess(case_id)
    except FeeComputationFailed:
        log.exception("case %s: fees could not be assessed", case_id)


async def _lines(assessment_id: int) -> tuple[Line, ...]:
    rows = (
        await AssessedFee.select()
        .where(AssessedFee.assessment == assessment_id)
        .order_by(AssessedFee.position)
    )
    return tuple(
        Line(
            code=r["code"],
            kind=r["kind"],
            name=r["name"],
            name_en=r["name_en"],
            amount=from_fen(r["amount_fen"]),
            legal_basis=r["legal_basis"],
            payer=r["payer"],
            payer_en=r["payer_en"],
            basis=r["basis"],
            basis_en=r["basis_en"],
        )
        for r in rows
    )


async def _receipt(assessment_id: int) -> ReceiptView | None:
    payment = await Payment.select().where(Payment.assessment == assessment_id).first()
    if payment is None:
        return None
    receipt = await Receipt.select().where(Receipt.payment == payment["id"]).first()
    return ReceiptView(
        number=receipt["number"],
        amount=from_fen(receipt["amount_fen"]),
        issued_at=receipt["issued_at"],
        channel=payment["channel"],
        reference=payment["reference"],
        account=payment["account"],
    )


async def case_fees(principal: Principal, case_id: int) -> CaseFees:
    """The fees of a case the principal may see (CaseNotFound otherwise)."""
    case = await visible_case(principal, case_id)
    assessment_id = await assess(case_id)
    if assessment_id is None:
        return CaseFees(case_id, (), Decimal("0.00"), None, "none", None)
    row = await Assessment.select().where(Assessment.id == assessment_id).first()
    status, deadline = (
        await standing(case, row["status"]) if row["total_fen"] > 0 else ("none", None)
    )
    return CaseFees(
        case_id=case_id,
        lines=await _lines(assessment_id),
        total=from_fen(row["total_fen"]),
        payment_code=row["payment_code"] if row["total_fen"] > 0 else None,
        status=status,
        receipt=await _receipt(assessment_id),
        pay_by=deadline,
    )


# -- 3. pay -------------------------------------------------------------------------


def _channel_for(principal: Principal, channel_key: str):
    channel = get_channels().get(channel_key)
    membership = channel.membership_for(principal) if channel else None
    if channel is None or membership is None:
        raise ChannelNotAllowed()
    return channel, membership


def _any_channel_membership(principal: Principal):
    for channel in get_channels().values():
        if channel.membership_for(principal):
            return channel
    raise ChannelNotAllowed()


async def _assessment_by_code(code_input: str) -> dict:
    code = codes.normalise(code_input)
    if not codes.is_valid(code):
        raise PaymentCodeInvalid()
    row = await Assessment.select().where(Assessment.payment_code == code).first()
    if row is None or row["total_fen"] <= 0:
        raise NothingDue()
    return row


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**: enough for the teller to confirm, no more."""
    name = name.strip()
    if len(name) <= 1:
        return name
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


async def lookup(principal: Principal, code_input: str) -> DueView:
    """What is due under a payment code, for staff of a payment channel."""
    _any_channel_membership(principal)
    row = await _assessment_by_code(code_input)
    case = (
        await Case.select(
            Case.id, Case.item_version, Case.item_code, Case.resident.name, Case.state
        )
        .where(Case.id == row["case"])
        .first()
    )
    item = await item_for_version(case["item_version"])
    status, deadline = await standing(case, row["status"])
    return DueView(
        payment_code=row["payment_code"],
        item_code=item.code,
        item_name=item.name,
        item_name_en=item.name_en,
        payer_masked=mask_name(case["resident.name"] or ""),
        lines=await _lines(row["id"]),
        total=from_fen(row["total_fen"]),
        status=status,
        receipt=await _receipt(row["id"]),
        pay_by=deadline,
    )


async def _refuse_after_deadline(case: dict, status: str) -> str:
    """A lapsed case, or one held past its last day to pay, takes no more money.

    Returns the case's :func:`standing` otherwise."""
    status, deadline = await standing(case, status)
    if status == "lapsed":
        raise PaymentDeadlinePassed(pay_by=deadline.isoformat() if deadline else "")
    return status


def _parse_amount(text: str) -> Decimal:
    try:
        amount = Decimal(str(text).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise AmountInvalid() from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise AmountInvalid()
    return amount


def _account(kinds: set[str]) -> str:
    """Taxes go to the treasury, fees to the fiscal non-tax revenue account."""
    if kinds == {"tax"}:
        return "treasury"
    if kinds == {"fee"}:
        return "non_tax_revenue"
    return "both"


async def record_payment(
    principal: Principal, code_input: str, *, channel_key: str, reference: str, amount: str
) -> ReceiptView:
    """Record the funds a channel took for a payment code, and issue the receipt.

    The amount must be exactly what is due. Repeating the same channel
    reference for the same code returns the first receipt (a retried
    request); anything else on a paid code is refused.
    """
    channel, membership = _channel_for(principal, channel_key)
    reference = (reference or "").strip()
    if not channel.reference_ok(reference):
        raise ReferenceInvalid(label=channel.reference_label)
    row = await _assessment_by_code(code_input)
    ref_key = f"{channel.key}:{reference}"
    previous = await Payment.select().where(Payment.channel_ref_key == ref_key).first()
    if previous is not None:
        if previous["assessment"] == row["id"]:
            return await _receipt(row["id"])
        raise ReferenceUsed()
    if row["status"] == "paid":
        raise AlreadyPaid()
    case = (
        await Case.select(Case.id, Case.state, Case.filed_unit.code)
        .where(Case.id == row["case"])
        .first()
    )
    status = await _refuse_after_deadline(case, row["status"])
    given = _parse_amount(amount)
    due = from_fen(row["total_fen"])
    if given != due:
        raise AmountMismatch(given=f"{given:.2f}", due=f"{due:.2f}")
    if status == "cancelled":
        raise CaseNotPayable()
    lines = await _lines(row["id"])
    now = datetime.now(UTC)
    try:
        number = await _take_payment(
            row,
            lines,
            channel=channel,
            membership=membership,
            principal=principal,
            reference=reference,
            ref_key=ref_key,
            filed_unit_code=case["filed_unit.code"],
            now=now,
        )
    except AlreadyPaid:
        # The same confirmation twice at once: the first one stands, and is the answer.
        first = await Payment.select().where(Payment.channel_ref_key == ref_key).first()
        if first is not None and first["assessment"] == row["id"]:
            return await _receipt(row["id"])
        # Or the deadline's job ended the case a moment before: say so.
        now_row = await Assessment.select(Assessment.status).where(Assessment.id == row["id"])
        await _refuse_after_deadline(case, now_row[0]["status"])
        raise
    log.info("case %s: paid, receipt %s", row["case"], number)
    return await _receipt(row["id"])


async def _take_payment(
    row: dict,
    lines: tuple[Line, ...],
    *,
    channel,
    membership,
    principal: Principal,
    reference: str,
    ref_key: str,
    filed_unit_code: str,
    now: datetime,
) -> str:
    """Mark the assessment paid, record the funds and the receipt, and issue a result that
    was waiting for this payment: all in one transaction, once (AlreadyPaid otherwise)."""
    async with transaction():
        claimed = (
            await Assessment.update({Assessment.status: "paid", Assessment.paid_at: now})
            .where((Assessment.id == row["id"]) & (Assessment.status == "due"))
            .returning(Assessment.id)
        )
        if not claimed:
            raise AlreadyPaid()
        payment = (
            await Payment.insert(
                Payment(
                    assessment=row["id"],
                    channel=channel.key,
                    channel_ref_key=ref_key,
                    reference=reference,
                    amount_fen=row["total_fen"],
                    account=_account({line.kind for line in lines}),
                    unit=membership.unit_id,
                    recorded_by=principal.staff_id,
                    paid_at=now,
                )
            ).returning(Payment.id)
        )[0]
        number = await _next_receipt_number(division_of(filed_unit_code), now)
        await Receipt.insert(
            Receipt(
                payment=payment["id"],
                number=number,
                amount_fen=row["total_fen"],
                lines=[
                    {
                        "name": line.name,
                        "name_en": line.name_en,
                        "kind": line.kind,
                        "amount": f"{line.amount:.2f}",
                    }
                    for line in lines
                ],
                issued_at=now,
            )
        )
        # An approved case whose result waited for this payment is issued now.
        await issuing.release(row["case"], cause={"receipt": number})
    return number


async def _next_receipt_number(division: str, now: datetime) -> str:
    prefix = f"{division}{site_today(now):%Y}"
    rows = await ReceiptSequence.raw(
        "INSERT INTO payments_receipt_sequence (prefix, last) VALUES ({}, 1) "
        "ON CONFLICT (prefix) DO UPDATE SET last = payments_receipt_sequence.last + 1 "
        "RETURNING last",
        prefix,
    )
    return codes.receipt_number(prefix, rows[0]["last"])
