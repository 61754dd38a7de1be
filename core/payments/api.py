"""The JSON API for fees and payments under /api/v1 (documented at /api/docs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from core.catalog.fees import FeeQuote
from core.payments import services
from core.tenancy.scope import Principal
from core.web.errors import API_ERROR_RESPONSES
from core.web.guards import login_required, provide_principal


class QuoteIn(msgspec.Struct):
    item_code: str
    data: dict[str, Any]
    unit_id: int | None = None


class LineOut(msgspec.Struct):
    code: str
    kind: str
    name: str
    name_en: str
    amount: str
    legal_basis: str
    payer: str
    basis: str


class QuoteOut(msgspec.Struct):
    lines: list[LineOut]
    total: str


class ReceiptOut(msgspec.Struct):
    number: str
    amount: str
    issued_at: datetime
    channel: str
    reference: str
    account: str


class CaseFeesOut(msgspec.Struct):
    case_id: int
    lines: list[LineOut]
    total: str
    payment_code: str | None
    status: str  # none | due | paid | cancelled (the case ended otherwise) | lapsed
    receipt: ReceiptOut | None
    pay_by: date | None = None  # the last day to pay a result held for these fees


class DueOut(msgspec.Struct):
    payment_code: str
    item_code: str
    item_name: str
    payer: str
    lines: list[LineOut]
    total: str
    status: str  # due | paid | cancelled (the case ended otherwise) | lapsed
    receipt: ReceiptOut | None
    pay_by: date | None = None  # the last day to pay a result held for these fees


class PayIn(msgspec.Struct):
    channel: str
    reference: str
    amount: str


def _line(line: Any) -> LineOut:
    return LineOut(
        code=line.code,
        kind=line.kind,
        name=line.name,
        name_en=line.name_en,
        amount=f"{line.amount:.2f}",
        legal_basis=line.legal_basis,
        payer=line.payer,
        basis=line.basis,
    )


def _receipt(receipt: services.ReceiptView | None) -> ReceiptOut | None:
    if receipt is None:
        return None
    return ReceiptOut(
        number=receipt.number,
        amount=f"{receipt.amount:.2f}",
        issued_at=receipt.issued_at,
        channel=receipt.channel,
        reference=receipt.reference,
        account=receipt.account,
    )


def quote_out(quote: FeeQuote) -> QuoteOut:
    return QuoteOut(lines=[_line(line) for line in quote.lines], total=f"{quote.total:.2f}")


class FeesApi(Controller):
    path = "/api/v1"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["fees"]

    @post("/fees/quote", status_code=200, responses=API_ERROR_RESPONSES)
    async def quote(
        self, principal: NamedDependency[Principal], data: JSONBody[QuoteIn]
    ) -> QuoteOut:
        """What filing this item with these values would cost today (taxes and fees)."""
        return quote_out(
            services.quote(principal, data.item_code[:32], data.data, unit_id=data.unit_id)
        )

    @get("/cases/{case_id:int}/fees", responses=API_ERROR_RESPONSES)
    async def case_fees(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> CaseFeesOut:
        """The fees assessed on a case, its payment code and, once paid, the receipt."""
        fees = await services.case_fees(principal, case_id)
        return CaseFeesOut(
            case_id=fees.case_id,
            lines=[_line(line) for line in fees.lines],
            total=f"{fees.total:.2f}",
            payment_code=fees.payment_code,
            status=fees.status,
            receipt=_receipt(fees.receipt),
            pay_by=fees.pay_by,
        )

    @get("/payments/{code:str}", responses=API_ERROR_RESPONSES)
    async def lookup(self, principal: NamedDependency[Principal], code: FromPath[str]) -> DueOut:
        """For payment-channel staff: what is due under a payment code."""
        due = await services.lookup(principal, code[:40])
        return DueOut(
            payment_code=due.payment_code,
            item_code=due.item_code,
            item_name=due.item_name,
            payer=due.payer_masked,
            lines=[_line(line) for line in due.lines],
            total=f"{due.total:.2f}",
            status=due.status,
            receipt=_receipt(due.receipt),
            pay_by=due.pay_by,
        )

    @post("/payments/{code:str}", status_code=201, responses=API_ERROR_RESPONSES)
    async def pay(
        self, principal: NamedDependency[Principal], code: FromPath[str], data: JSONBody[PayIn]
    ) -> ReceiptOut:
        """For payment-channel staff: record the funds taken; the core issues the receipt."""
        receipt = await services.record_payment(
            principal,
            code[:40],
            channel_key=data.channel[:32],
            reference=data.reference[:64],
            amount=data.amount[:32],
        )
        return _receipt(receipt)
