"""Checks on tax submissions that a form schema cannot express.

Each returns ``core.api.FieldError`` entries (English msgids, translated in
this plugin's catalogue) naming the field to correct.
"""

from __future__ import annotations

import re

from core.api import N_, FieldError
from plugins.tax_joint_office.values import as_date

NOT_INDIVIDUAL_BUSINESS = N_(
    "An individual business's unified social credit code starts with 92; "
    "this one belongs to another kind of organisation."
)
BANK_ACCOUNT = N_("Enter the bank account number as 8 to 32 digits.")
SAME_PARTY = N_("Buyer and seller cannot be the same person.")
ACQUIRED_AFTER_SALE = N_("The seller must have acquired the home before signing the sale contract.")
PERIOD_REVERSED = N_("The start of the period must not be after its end.")

_ACCOUNT = re.compile(r"[0-9]{8,32}")


def check(code: str, values: dict) -> list[FieldError]:
    return CHECKS.get(code, lambda _values: [])(values)


def taxpayer_information(values: dict) -> list[FieldError]:
    errors = []
    if not str(values.get("uscc", "")).startswith("92"):
        errors.append(FieldError(path="uscc", message=NOT_INDIVIDUAL_BUSINESS))
    account = values.get("bank_account")
    if account is not None and not _ACCOUNT.fullmatch(re.sub(r"[\s-]", "", account)):
        errors.append(FieldError(path="bank_account", message=BANK_ACCOUNT))
    return errors


def housing(values: dict) -> list[FieldError]:
    errors = []
    if values["seller_id_number"].upper() == values["buyer_id_number"].upper():
        errors.append(FieldError(path="buyer_id_number", message=SAME_PARTY))
    if as_date(values["acquired_on"]) >= as_date(values["contract_signed_on"]):
        errors.append(FieldError(path="acquired_on", message=ACQUIRED_AFTER_SALE))
    return errors


def certificate(values: dict) -> list[FieldError]:
    if as_date(values["period_from"]) > as_date(values["period_to"]):
        return [FieldError(path="period_from", message=PERIOD_REVERSED)]
    return []


CHECKS = {
    "000125001000": taxpayer_information,
    "000125003000": housing,
    "000125004000": certificate,
}
