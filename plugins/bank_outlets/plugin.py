"""Bank outlets (银行网点): outlets that accept items on behalf of departments, and take payments.

Rural commercial bank branches reach townships that have no department
office: the outlet's counter accepts social security card applications and
replacements (for the social insurance centre), housing provident fund
withdrawals (for the fund centre, which entrusts the bank with paying out)
and individual business registrations (工商注册通, for market regulation).
The outlet is also the payment channel through which fees and taxes assessed
by any department are paid (统一收费): the teller records the money taken, the
core issues the receipt.

Until the housing fund centre and market regulation ship plugins of their
own, this plugin declares their unit kinds (the departments it acts for).
"""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.api import PaymentChannel, Role, UnitKind
from plugins.bank_outlets import documents, validation

HERE = Path(__file__).parent

CARD_APPLICATION = "000115010000"
CARD_REPLACEMENT = "000115011000"
FUND_WITHDRAWAL = "000131001000"
BUSINESS_REGISTRATION = "000127001000"
ITEM_CODES = frozenset({CARD_APPLICATION, CARD_REPLACEMENT, FUND_WITHDRAWAL, BUSINESS_REGISTRATION})

BANK_COUNTER = PaymentChannel(
    key="bank_counter",
    name="银行网点柜台缴款",
    name_en="Payment at a bank outlet's counter",
    unit_kinds=("bank_outlet",),
    roles=("bank_teller",),
    reference_label="银行交易流水号",
    reference_label_en="Bank transaction reference",
    reference_pattern=r"[0-9A-Z]{12,32}",
)


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key="bank_outlet",
            name="银行网点",
            name_en="Bank outlet",
            levels=("district", "township"),
            department=True,
        ),
        UnitKind(
            key="housing_fund_centre",
            name="住房公积金管理中心（分中心）",
            name_en="Housing provident fund centre",
            levels=("city", "district"),
            department=True,
        ),
        UnitKind(
            key="market_regulation",
            name="市场监督管理局（所）",
            name_en="Market regulation bureau",
            levels=("city", "district", "township"),
            department=True,
        ),
    ]


@hookimpl
def tongban_roles():
    return [Role(key="bank_teller", name="银行柜员", name_en="Bank teller")]


@hookimpl
def tongban_items():
    return [HERE / "items"]


@hookimpl
def tongban_locale_dirs():
    return [HERE / "locale"]


@hookimpl
def tongban_payment_channels():
    return [BANK_COUNTER]


@hookimpl
def tongban_validate_submission(item, values, context):
    if item.code not in ITEM_CODES:
        return None
    return validation.check(item.code, values, context)


@hookimpl
def tongban_render_document(kind, item, case, values, holder):
    if kind == "licence" and item.code == BUSINESS_REGISTRATION:
        return documents.business_licence(item, case, values, holder)
    return None
