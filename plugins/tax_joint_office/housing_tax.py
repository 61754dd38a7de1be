"""Taxes on the sale of a second-hand home (存量房交易) by an individual.

A pure calculator: the same inputs and declaration date always give the same
amounts, so the quote the agent sees before filing is exactly what is
assessed on the case. Amounts are yuan, each tax rounded half-up to the fen.

The rules, as they stand for a declaration filed on a given day:

Deed tax (契税), paid by the buyer, on the price excluding VAT
(财政部 税务总局公告2021年第23号 第二条):

- declared on or after 2024-12-01 — 财政部 税务总局 住房城乡建设部公告2024年第16号
  第一条: the family's only home 1% up to 140 m² (inclusive), 1.5% above;
  the family's second home 1% up to 140 m², 2% above. The announcement
  also lets sales not yet declared by that day use these rules.
- declared 2016-02-22 … 2024-11-30 — 财税〔2016〕23号 第一条 (repealed by the
  above): the same rates with 90 m² as the threshold.
- a third home or more: the province's statutory rate, 3% in Chongqing
  (《重庆市人民代表大会常务委员会关于重庆市契税具体适用税率等事项的决定》,
  under 《中华人民共和国契税法》第三条).

VAT (增值税), paid by the seller: a home held 2 years or more (含2年) is
exempt (2024年第16号 第二条; before it 财税〔2016〕36号 附件3 第五条); otherwise
5% of the price as a VAT-inclusive amount, price ÷ 1.05 × 5%
(国家税务总局公告2016年第14号).

Surtaxes on the VAT (城市维护建设税 7% / 5% / 1% by location, 《城市维护建设税法》
第四条; 教育费附加 3%; 地方教育附加 2%), halved for small-scale taxpayers,
which an individual seller is, from 2022-01-01 to 2027-12-31
(财政部 税务总局公告2022年第10号, 2023年第12号 第二条).

Individual income tax (个人所得税), paid by the seller: exempt when the home
has been the family's only home for 5 years or more ("满五唯一",
财税字〔1999〕278号 第四条). Otherwise 20% of (price excluding VAT − original
value − taxes paid on the sale − reasonable costs), where renovation counts
up to 10% of the original value (15% for reformed public housing and
economical housing) (国税发〔2006〕108号, 财税〔2016〕43号 第四条); when the
original value cannot be documented, 1% of the price excluding VAT
(国税发〔2006〕108号: within the 1%–3% the province sets).

Holding periods run from the earlier of the title certificate's and the
deed-tax receipt's date (国税发〔2005〕172号) to the day the sale contract is
signed. "N years or more" is reached on the N-th anniversary; a 29 February
acquisition reaches it on 28 February (《民法典》第二百零二条: a period with no
corresponding day ends on the last day of the month).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

BuyerHomes = Literal["first", "second", "third_plus"]
Location = Literal["urban", "county_town", "other"]
HouseType = Literal["commercial", "reformed_public"]

REGIME_2016 = date(2016, 2, 22)  # 财税〔2016〕23号 in force
VAT_ERA = date(2016, 5, 1)  # 营改增: VAT replaced business tax on property sales
REGIME_2024 = date(2024, 12, 1)  # 2024年第16号 in force
SURTAX_HALVING = (date(2022, 1, 1), date(2027, 12, 31))

PROVINCIAL_DEED_RATE = Decimal("0.03")  # 重庆市: 3%
VAT_RATE = Decimal("0.05")
URBAN_CONSTRUCTION_RATES: dict[str, Decimal] = {
    "urban": Decimal("0.07"),
    "county_town": Decimal("0.05"),
    "other": Decimal("0.01"),
}
EDUCATION_RATE = Decimal("0.03")
LOCAL_EDUCATION_RATE = Decimal("0.02")
IIT_RATE = Decimal("0.20")
IIT_DEEMED_RATE = Decimal("0.01")  # 重庆市核定征收率
RENOVATION_CAP = {"commercial": Decimal("0.10"), "reformed_public": Decimal("0.15")}

BASIS_DEED_2024 = "《中华人民共和国契税法》；财政部 税务总局 住房城乡建设部公告2024年第16号 第一条"
BASIS_DEED_2016 = "《中华人民共和国契税法》；财税〔2016〕23号 第一条"
BASIS_DEED_STATUTORY = "《中华人民共和国契税法》第三条；《重庆市人民代表大会常务委员会关于重庆市契税具体适用税率等事项的决定》"
BASIS_VAT_2024 = "财税〔2016〕36号 附件3 第五条；财政部 税务总局 住房城乡建设部公告2024年第16号 第二条；国家税务总局公告2016年第14号"
BASIS_VAT_2016 = "财税〔2016〕36号 附件3 第五条；国家税务总局公告2016年第14号"
BASIS_URBAN = "《中华人民共和国城市维护建设税法》第四条；财政部 税务总局公告2023年第12号 第二条"
BASIS_EDUCATION = "《征收教育费附加的暂行规定》第三条；财政部 税务总局公告2023年第12号 第二条"
BASIS_LOCAL_EDUCATION = "财综〔2010〕98号；财政部 税务总局公告2023年第12号 第二条"
BASIS_IIT = "《中华人民共和国个人所得税法》第三条、第六条；财税字〔1999〕278号 第四条；国税发〔2006〕108号；财税〔2016〕43号 第四条"


class UnsupportedDate(ValueError):
    """The rules before VAT replaced business tax on property (2016-05-01) are not implemented."""


@dataclass(frozen=True)
class HousingSale:
    price: Decimal  # contract price, VAT included
    floor_area: Decimal  # m²
    acquired_on: date  # earlier of title certificate and deed-tax receipt
    contract_signed_on: date
    seller_only_home: bool  # the seller family's only home
    buyer_homes: BuyerHomes  # which home this is for the buyer's family
    location: Location = "urban"
    original_value: Decimal | None = None  # None: cannot be documented
    house_type: HouseType = "commercial"
    renovation: Decimal = ZERO
    loan_interest: Decimal = ZERO
    other_costs: Decimal = ZERO  # 手续费、公证费 paid on the sale


@dataclass(frozen=True)
class TaxLine:
    code: str
    name: str
    name_en: str
    amount: Decimal
    payer: str  # "seller" | "buyer"
    legal_basis: str
    basis: str
    basis_en: str


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def anniversary(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def held_at_least(acquired: date, sold: date, years: int) -> bool:
    return sold >= anniversary(acquired, years)


def full_years_held(acquired: date, sold: date) -> int:
    """Whole years between the two days (0 if sold before the first anniversary)."""
    years = max(sold.year - acquired.year, 0)
    while years > 0 and not held_at_least(acquired, sold, years):
        years -= 1
    return years


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def deed_tax_rate(sale: HousingSale, declared_on: date) -> tuple[Decimal, str, str, str]:
    """(rate, legal basis, Chinese and English explanation) for the buyer's deed tax."""
    if sale.buyer_homes == "third_plus":
        return (
            PROVINCIAL_DEED_RATE,
            BASIS_DEED_STATUTORY,
            "家庭第三套及以上住房，适用税率",
            "Third home or more: the statutory rate",
        )
    threshold = Decimal(140) if declared_on >= REGIME_2024 else Decimal(90)
    basis = BASIS_DEED_2024 if declared_on >= REGIME_2024 else BASIS_DEED_2016
    small = sale.floor_area <= threshold
    if sale.buyer_homes == "first":
        rate = Decimal("0.01") if small else Decimal("0.015")
        zh, en = "家庭唯一住房", "The family's only home"
    else:
        rate = Decimal("0.01") if small else Decimal("0.02")
        zh, en = "家庭第二套住房", "The family's second home"
    zh += f"，面积{'' if small else '超过'}{threshold}平方米{'及以下' if small else ''}"
    en += f", {'at most' if small else 'over'} {threshold} m²"
    return rate, basis, zh, en


NAMES = {
    "vat": ("增值税", "VAT"),
    "urban_construction_tax": ("城市维护建设税", "Urban maintenance and construction tax"),
    "education_surcharge": ("教育费附加", "Education surcharge"),
    "local_education_surcharge": ("地方教育附加", "Local education surcharge"),
    "individual_income_tax": ("个人所得税", "Individual income tax"),
    "deed_tax": ("契税", "Deed tax"),
}


def tax_line(code: str, amount: Decimal, payer: str, legal_basis: str, zh: str, en: str) -> TaxLine:
    name, name_en = NAMES[code]
    return TaxLine(code, name, name_en, amount, payer, legal_basis, zh, en)


def surtaxes(vat: Decimal, location: str, declared_on: date, payer: str) -> list[TaxLine]:
    """The three surtaxes levied on an amount of VAT (halved in 2022–2027)."""
    halved = SURTAX_HALVING[0] <= declared_on <= SURTAX_HALVING[1]
    factor = Decimal("0.5") if halved else Decimal(1)
    half_zh, half_en = ("，减半征收", ", halved") if halved else ("", "")
    rates = (
        ("urban_construction_tax", URBAN_CONSTRUCTION_RATES[location], BASIS_URBAN),
        ("education_surcharge", EDUCATION_RATE, BASIS_EDUCATION),
        ("local_education_surcharge", LOCAL_EDUCATION_RATE, BASIS_LOCAL_EDUCATION),
    )
    return [
        tax_line(
            code,
            money(vat * rate * factor),
            payer,
            basis,
            f"增值税 {vat:.2f} × {_pct(rate)}{half_zh}",
            f"VAT {vat:.2f} × {_pct(rate)}{half_en}",
        )
        for code, rate, basis in rates
    ]


def _vat(sale: HousingSale, declared_on: date) -> TaxLine:
    legal = BASIS_VAT_2024 if declared_on >= REGIME_2024 else BASIS_VAT_2016
    if held_at_least(sale.acquired_on, sale.contract_signed_on, 2):
        zh, en = "购买2年以上（含2年）的住房，免征", "Held 2 years or more: exempt"
        return tax_line("vat", ZERO, "seller", legal, zh, en)
    vat = money(sale.price / (1 + VAT_RATE) * VAT_RATE)
    formula = f"{sale.price:.2f} ÷ 1.05 × 5%"
    return tax_line(
        "vat", vat, "seller", legal, f"购买不足2年：{formula}", f"Held under 2 years: {formula}"
    )


def _income_tax(sale: HousingSale, income: Decimal, taxes_paid: Decimal) -> TaxLine:
    if sale.seller_only_home and held_at_least(sale.acquired_on, sale.contract_signed_on, 5):
        zh = "家庭唯一生活用房且满5年（满五唯一），免征"
        en = "The family's only home, held 5 years or more: exempt"
        return tax_line("individual_income_tax", ZERO, "seller", BASIS_IIT, zh, en)
    if sale.original_value is None:
        rate = _pct(IIT_DEEMED_RATE)
        zh = f"原值无法核实，按转让收入 {income:.2f} × {rate} 核定征收"
        en = f"Original value not documented: deemed {rate} of {income:.2f}"
        iit = money(income * IIT_DEEMED_RATE)
        return tax_line("individual_income_tax", iit, "seller", BASIS_IIT, zh, en)
    cap = money(sale.original_value * RENOVATION_CAP[sale.house_type])
    deductions = (
        sale.original_value
        + taxes_paid
        + min(sale.renovation, cap)
        + sale.loan_interest
        + sale.other_costs
    )
    iit = money(max(income - deductions, ZERO) * IIT_RATE)
    zh = f"（转让收入 {income:.2f} − 原值、税金及合理费用 {deductions:.2f}）× 20%"
    en = f"(income {income:.2f} − original value, taxes and costs {deductions:.2f}) × 20%"
    return tax_line("individual_income_tax", iit, "seller", BASIS_IIT, zh, en)


def _deed_tax(sale: HousingSale, base: Decimal, declared_on: date) -> TaxLine:
    rate, legal, zh, en = deed_tax_rate(sale, declared_on)
    formula = f"{base:.2f} × {_pct(rate)}"
    return tax_line(
        "deed_tax", money(base * rate), "buyer", legal, f"{zh}：{formula}", f"{en}: {formula}"
    )


def compute(sale: HousingSale, declared_on: date) -> list[TaxLine]:
    """Every tax due on the sale, in the order a declaration lists them."""
    if declared_on < VAT_ERA:
        raise UnsupportedDate(declared_on)
    vat = _vat(sale, declared_on)
    net_price = sale.price - vat.amount  # income tax and deed tax exclude VAT
    extra = surtaxes(vat.amount, sale.location, declared_on, "seller")
    income_tax = _income_tax(sale, net_price, sum((line.amount for line in extra), ZERO))
    return [vat, *extra, income_tax, _deed_tax(sale, net_price, declared_on)]
