"""Tax joint office (联合办税): taxpayer services of the tax bureau and its township offices.

Declares four items (``items/*.toml``), the ``tax_office`` unit kind, the
computed field showing how long a seller has held a home, the checks a form
schema cannot express, the taxes each declaration costs (shown to the agent
before filing through the core's fee hook) and the layout of the tax payment
certificate e-licence.
"""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.api import FeeLine, UnitKind
from plugins.tax_joint_office import documents, housing_tax, invoice_tax, validation
from plugins.tax_joint_office.values import as_date, housing_sale, money_value

HERE = Path(__file__).parent

TAXPAYER_INFORMATION = "000125001000"
INVOICE = "000125002000"
HOUSING = "000125003000"
CERTIFICATE = "000125004000"
ITEM_CODES = frozenset({TAXPAYER_INFORMATION, INVOICE, HOUSING, CERTIFICATE})


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key="tax_office",
            name="税务局（税务所）",
            name_en="Tax bureau",
            levels=("city", "district", "township"),
            department=True,
        )
    ]


@hookimpl
def tongban_items():
    return [HERE / "items"]


@hookimpl
def tongban_locale_dirs():
    return [HERE / "locale"]


@hookimpl
def tongban_computed_fields():
    return {"tax_years_held": years_held}


def years_held(values: dict) -> int | None:
    """Whole years between acquiring the home and signing the sale (None until both are known)."""
    acquired, signed = values.get("acquired_on"), values.get("contract_signed_on")
    if not acquired or not signed:
        return None
    return housing_tax.full_years_held(as_date(acquired), as_date(signed))


@hookimpl
def tongban_validate_submission(item, values, context):
    if item.code not in ITEM_CODES:
        return None
    return validation.check(item.code, values)


@hookimpl
def tongban_compute_fees(item, values, context):
    if item.code == HOUSING:
        lines = housing_tax.compute(housing_sale(values), context.on)
    elif item.code == INVOICE:
        lines = invoice_tax.compute(
            money_value(values["amount"]), values["location_class"], context.on
        )
    else:
        return None
    return [
        FeeLine(
            code=line.code,
            name=line.name,
            name_en=line.name_en,
            amount=line.amount,
            kind="tax",
            legal_basis=line.legal_basis,
            payer={"seller": "卖方", "buyer": "买方"}.get(line.payer, ""),
            payer_en={"seller": "seller", "buyer": "buyer"}.get(line.payer, ""),
            basis=line.basis,
            basis_en=line.basis_en,
        )
        for line in lines
    ]


@hookimpl
def tongban_render_document(kind, item, case, values, holder):
    if kind == "licence" and item.code == CERTIFICATE:
        return documents.tax_payment_certificate(item, case, values, holder)
    return None
