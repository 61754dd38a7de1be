"""The second-hand home taxes against cases worked out by hand, boundaries included.

Each expected amount below was computed on paper from the rules cited in
plugins/tax_joint_office/housing_tax.py, not by running the code.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from plugins.tax_joint_office import housing_tax, invoice_tax
from plugins.tax_joint_office.housing_tax import HousingSale, UnsupportedDate, compute

OLD_RULES = date(2024, 11, 30)  # last day of 财税〔2016〕23号 (90 m²)
NEW_RULES = date(2024, 12, 1)  # first day of 2024年第16号 (140 m²)

# Held over 5 years, the seller's only home, no VAT and no income tax: only deed tax.
QUIET = HousingSale(
    price=D("1050000.00"),
    floor_area=D("90.00"),
    acquired_on=date(2019, 3, 1),
    contract_signed_on=date(2024, 6, 15),
    seller_only_home=True,
    buyer_homes="first",
)


def amounts(sale: HousingSale, declared_on: date) -> dict[str, D]:
    return {line.code: line.amount for line in compute(sale, declared_on)}


@pytest.mark.parametrize(
    ("area", "buyer", "declared_on", "deed_tax"),
    [
        # 财税〔2016〕23号: the threshold is 90 m², inclusive.
        ("90.00", "first", OLD_RULES, "10500.00"),  # 1%
        ("90.01", "first", OLD_RULES, "15750.00"),  # 1.5%
        ("90.00", "second", OLD_RULES, "10500.00"),  # 1%
        ("90.01", "second", OLD_RULES, "21000.00"),  # 2%
        # 2024年第16号: the threshold is 140 m², inclusive.
        ("90.01", "first", NEW_RULES, "10500.00"),  # 1% now
        ("140.00", "first", NEW_RULES, "10500.00"),  # 1%
        ("140.01", "first", NEW_RULES, "15750.00"),  # 1.5%
        ("140.00", "second", NEW_RULES, "10500.00"),  # 1%
        ("140.01", "second", NEW_RULES, "21000.00"),  # 2%
        # A third home pays Chongqing's statutory 3% under either regime.
        ("60.00", "third_plus", OLD_RULES, "31500.00"),
        ("60.00", "third_plus", NEW_RULES, "31500.00"),
    ],
)
def test_deed_tax_by_floor_area_and_home_count(area, buyer, declared_on, deed_tax):
    sale = replace(QUIET, floor_area=D(area), buyer_homes=buyer)
    taxes = amounts(sale, declared_on)
    assert taxes["deed_tax"] == D(deed_tax)
    assert taxes["vat"] == taxes["individual_income_tax"] == D("0.00")


def test_vat_exempt_from_exactly_two_years():
    acquired = date(2022, 6, 15)
    on_the_day = replace(QUIET, acquired_on=acquired, contract_signed_on=date(2024, 6, 15))
    assert amounts(on_the_day, NEW_RULES)["vat"] == D("0.00")
    day_before = replace(on_the_day, contract_signed_on=date(2024, 6, 14))
    taxes = amounts(day_before, NEW_RULES)
    # 1 050 000 ÷ 1.05 × 5% = 50 000; surtaxes on it in a city district, halved:
    # 50 000 × 7% × ½ = 1 750, × 3% × ½ = 750, × 2% × ½ = 500.
    assert taxes["vat"] == D("50000.00")
    assert taxes["urban_construction_tax"] == D("1750.00")
    assert taxes["education_surcharge"] == D("750.00")
    assert taxes["local_education_surcharge"] == D("500.00")
    # Deed tax is on the price without VAT: 1 000 000 × 1% (90 m², only home).
    assert taxes["deed_tax"] == D("10000.00")
    # Held under 5 years: income tax, original value unknown → 1% of 1 000 000.
    assert taxes["individual_income_tax"] == D("10000.00")


def test_surtaxes_follow_location_and_the_halving_period():
    sale = replace(QUIET, acquired_on=date(2024, 1, 10), contract_signed_on=date(2025, 1, 10))
    county = amounts(replace(sale, location="county_town"), date(2025, 1, 20))
    assert county["urban_construction_tax"] == D("1250.00")  # 50 000 × 5% × ½
    elsewhere = amounts(replace(sale, location="other"), date(2025, 1, 20))
    assert elsewhere["urban_construction_tax"] == D("250.00")  # 50 000 × 1% × ½
    # After 2027-12-31 (end of 2023年第12号) the surtaxes are due in full.
    late = amounts(replace(sale, contract_signed_on=date(2025, 1, 10)), date(2028, 1, 5))
    assert late["urban_construction_tax"] == D("3500.00")
    assert late["education_surcharge"] == D("1500.00")
    assert late["local_education_surcharge"] == D("1000.00")


def test_income_tax_exempt_from_exactly_five_years_for_the_only_home():
    acquired = date(2019, 12, 10)
    five = replace(QUIET, acquired_on=acquired, contract_signed_on=date(2024, 12, 10))
    assert amounts(five, NEW_RULES)["individual_income_tax"] == D("0.00")
    # One day short: VAT still exempt (over 2 years), income tax deemed 1% of 1 050 000.
    short = replace(five, contract_signed_on=date(2024, 12, 9))
    taxes = amounts(short, NEW_RULES)
    assert taxes["vat"] == D("0.00")
    assert taxes["individual_income_tax"] == D("10500.00")
    # Five years, but not the family's only home: taxed.
    second = replace(five, seller_only_home=False)
    assert amounts(second, NEW_RULES)["individual_income_tax"] == D("10500.00")


def test_income_tax_on_the_actual_gain_with_capped_renovation():
    sale = replace(
        QUIET,
        floor_area=D("100.00"),
        acquired_on=date(2022, 6, 15),
        contract_signed_on=date(2024, 6, 14),
        buyer_homes="second",
        original_value=D("800000.00"),
        renovation=D("100000.00"),
        loan_interest=D("20000.00"),
        other_costs=D("5000.00"),
    )
    # income 1 000 000 − (800 000 + surtaxes 3 000 + renovation capped at 10% = 80 000
    #   + interest 20 000 + fees 5 000) = 92 000; × 20% = 18 400.
    assert amounts(sale, NEW_RULES)["individual_income_tax"] == D("18400.00")
    # Reformed public housing: the cap is 15% (120 000), so all 100 000 counts: 72 000 × 20%.
    public = replace(sale, house_type="reformed_public")
    assert amounts(public, NEW_RULES)["individual_income_tax"] == D("14400.00")
    # Sold at a loss: nothing to tax.
    loss = replace(sale, original_value=D("1200000.00"))
    assert amounts(loss, NEW_RULES)["individual_income_tax"] == D("0.00")
    # Deed tax for the buyer's second home of 100 m²: 2% under the old rules, 1% under the new.
    assert amounts(sale, OLD_RULES)["deed_tax"] == D("20000.00")
    assert amounts(sale, NEW_RULES)["deed_tax"] == D("10000.00")


def test_a_29_february_purchase_reaches_two_years_on_28_february():
    sale = replace(QUIET, acquired_on=date(2020, 2, 29))
    on_28th = replace(sale, contract_signed_on=date(2022, 2, 28))
    assert amounts(on_28th, date(2022, 3, 1))["vat"] == D("0.00")
    on_27th = replace(sale, contract_signed_on=date(2022, 2, 27))
    assert amounts(on_27th, date(2022, 3, 1))["vat"] == D("50000.00")
    assert housing_tax.full_years_held(date(2020, 2, 29), date(2022, 2, 28)) == 2
    assert housing_tax.full_years_held(date(2020, 2, 29), date(2022, 2, 27)) == 1


def test_amounts_round_half_up_to_the_fen():
    # Deed tax 12 344.50 × 1% = 123.445 → 123.45 (banker's rounding would give 123.44).
    sale = replace(QUIET, price=D("12344.50"))
    assert amounts(sale, NEW_RULES)["deed_tax"] == D("123.45")
    # VAT 1 000 001 ÷ 21 = 47 619.0952… → 47 619.10; deed tax on 952 381.90 × 1% = 9 523.819 → 9 523.82.
    odd = replace(QUIET, price=D("1000001.00"), acquired_on=date(2023, 1, 1))
    taxes = amounts(odd, NEW_RULES)
    assert taxes["vat"] == D("47619.10")
    assert taxes["deed_tax"] == D("9523.82")


def test_who_pays_what_and_why():
    lines = {line.code: line for line in compute(QUIET, NEW_RULES)}
    assert lines["deed_tax"].payer == "buyer"
    assert lines["vat"].payer == lines["individual_income_tax"].payer == "seller"
    assert "2024年第16号" in lines["deed_tax"].legal_basis
    assert "免征" in lines["vat"].basis and "满五唯一" in lines["individual_income_tax"].basis
    assert "140平方米及以下" in lines["deed_tax"].basis


def test_declarations_before_vat_replaced_business_tax_are_refused():
    with pytest.raises(UnsupportedDate):
        compute(QUIET, date(2016, 4, 30))


@pytest.mark.parametrize(
    ("amount", "declared_on", "expected"),
    [
        # 505 ÷ 1.01 = 500.00 reaches the 500-yuan threshold: VAT 5.00;
        # surtaxes halved: 5 × 7% × ½ = 0.175 → 0.18, × 3% × ½ = 0.075 → 0.08, × 2% × ½ = 0.05.
        ("505.00", date(2026, 3, 1), ("5.00", "0.18", "0.08", "0.05")),
        # 504.99 ÷ 1.01 = 499.99, below the threshold: nothing at all.
        ("504.99", date(2026, 3, 1), ("0.00", "0.00", "0.00", "0.00")),
        # From 2028 the 3% rate and full surtaxes: 1 030 ÷ 1.03 × 3% = 30; 2.10, 0.90, 0.60.
        ("1030.00", date(2028, 1, 2), ("30.00", "2.10", "0.90", "0.60")),
    ],
)
def test_invoice_taxes(amount, declared_on, expected):
    lines = invoice_tax.compute(D(amount), "urban", declared_on)
    assert tuple(f"{line.amount:.2f}" for line in lines) == expected
