"""Fee quote benchmark: what the filing page's fee box costs per keystroke-change.

    .venv/bin/python bench/fees.py                # 1 s per figure
    .venv/bin/python bench/fees.py --seconds 3

The fee box re-quotes the whole form on every change (``POST /fees/<item>``):
validate the item's form, then ``compute_fees`` (fixed fees plus the owning
plugin's ``tongban_compute_fees``). Each figure is printed with its ratio to
the baseline measured in the same run: the tax plugin's pure calculator for
the second-hand home sale (``housing_tax.compute``) on already-typed inputs.

- hook: ``compute_fees`` through the plugin manager, values already cleaned;
- quote: form validation + ``compute_fees`` — the Python work of one request;
- fixed: a fixed-fee item (the temporary ID card) through the same path.

No database is touched.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date

from core.catalog.fees import FeeContext, compute_fees
from core.catalog.forms import validate
from core.catalog.registry import get_catalog
from core.plugins import get_plugin_manager
from plugins.tax_joint_office.values import housing_sale

HOUSING = "000125003000"
TEMPORARY_ID = "000112001000"
TODAY = date.today()

HOUSING_FORM = {
    "seller_name": "周卖房",
    "seller_id_number": "500222197504020232",
    "buyer_name": "吴买房",
    "buyer_id_number": "500222199008090249",
    "title_number": "渝（2019）綦江区不动产权第0012345号",
    "property_location": {"unit": "509910101201", "detail": "3组18号"},
    "location_class": "urban",
    "floor_area": "120.50",
    "price": "1050000.00",
    "acquired_on": "2022-03-01",
    "contract_signed_on": TODAY.isoformat(),
    "seller_only_home": "no",
    "buyer_homes": "second",
    "original_value_known": "yes",
    "original_value": "800000",
    "house_type": "commercial",
    "renovation_cost": "100000",
    "loan_interest": "20000",
    "other_costs": "5000",
}
TEMPORARY_FORM = {
    "pending_application": "lost",
    "application_receipt_no": "GA500110202611230017",
    "urgent_use": "travel",
    "needed_by": TODAY.isoformat(),
}


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        calls += 1
    return calls / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()

    from plugins.tax_joint_office import housing_tax

    catalog, pm = get_catalog(), get_plugin_manager()
    housing, temporary = catalog.items[HOUSING], catalog.items[TEMPORARY_ID]
    cleaned = validate(housing.form, HOUSING_FORM, computed=catalog.computed)
    assert cleaned.ok, cleaned.errors
    sale = housing_sale(cleaned.values)
    context = FeeContext(item_code=HOUSING, on=TODAY, filing_unit_code="509910101201")

    def quote(item, data):
        result = validate(item.form, data, computed=catalog.computed)
        return compute_fees(item, result.values, context, pm=pm)

    figures = [
        ("pure calculator, typed inputs (baseline)", lambda: housing_tax.compute(sale, TODAY)),
        ("hook: compute_fees on cleaned values", lambda: compute_fees(housing, cleaned.values, context, pm=pm)),
        ("quote: validate the form + compute_fees", lambda: quote(housing, HOUSING_FORM)),
        ("fixed fee item: validate + compute_fees", lambda: quote(temporary, TEMPORARY_FORM)),
    ]  # fmt: skip
    print(f"{'fee quote':<48}{'ops/s':>12}{'µs/op':>10}{'× baseline':>12}")
    baseline = None
    for label, fn in figures:
        per_second = rate(fn, args.seconds)
        baseline = baseline or per_second
        print(
            f"  {label:<46}{per_second:>12,.0f}{1e6 / per_second:>10,.1f}"
            f"{baseline / per_second:>11.1f}x"
        )


if __name__ == "__main__":
    main()
