"""Reading form values both fresh from the validator and as stored with a case.

The validator hands hooks typed values (``date``, ``Decimal``); a filed case
keeps them as JSON (ISO date strings, decimal strings). Fees are computed
from either, so these helpers accept both.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from plugins.tax_joint_office.housing_tax import ZERO, HousingSale


def as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def money_value(value: Decimal | str | int | None) -> Decimal:
    return ZERO if value in (None, "") else Decimal(str(value))


def housing_sale(values: dict) -> HousingSale:
    known = values.get("original_value_known") == "yes"
    return HousingSale(
        price=money_value(values["price"]),
        floor_area=Decimal(str(values["floor_area"])),
        acquired_on=as_date(values["acquired_on"]),
        contract_signed_on=as_date(values["contract_signed_on"]),
        seller_only_home=values["seller_only_home"] == "yes",
        buyer_homes=values["buyer_homes"],
        location=values["location_class"],
        original_value=money_value(values.get("original_value")) if known else None,
        house_type=values.get("house_type") or "commercial",
        renovation=money_value(values.get("renovation_cost")) if known else ZERO,
        loan_interest=money_value(values.get("loan_interest")) if known else ZERO,
        other_costs=money_value(values.get("other_costs")) if known else ZERO,
    )
