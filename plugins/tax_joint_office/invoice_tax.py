"""VAT and surtaxes on an invoice the tax office issues for an individual (代开发票).

A resident without invoices of their own — a villager selling produce to a
company, a carpenter paid by a school — asks the tax office to issue one.
Pure, like :mod:`housing_tax`:

- an individual (其他个人) pays VAT per occasion; below the threshold of 500
  yuan sales (excluding VAT) per occasion or day nothing is due
  (《增值税暂行条例实施细则》第三十七条: 300–500 yuan, set by the province;
  Chongqing: 500);
- from it, sales at the 3% small-scale rate pay 1% instead, 2023-01-01 to
  2027-12-31 (财政部 税务总局公告2023年第19号 第二条); after that, 3%;
- the surtaxes on that VAT, halved in the same period (2023年第12号 第二条).

Individual income tax on such income is withheld by the paying business
(《个人所得税法》第九条) and is not collected here.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from plugins.tax_joint_office.housing_tax import (
    ZERO,
    TaxLine,
    UnsupportedDate,
    money,
    surtaxes,
    tax_line,
)

THRESHOLD = Decimal(500)  # 起征点 per occasion (day), sales excluding VAT
REDUCED_PERIOD = (date(2023, 1, 1), date(2027, 12, 31))
BASIS_VAT = (
    "《中华人民共和国增值税暂行条例》第十二条；《中华人民共和国增值税暂行条例实施细则》第三十七条；"
    "财政部 税务总局公告2023年第19号 第二条"
)


def vat_rate(declared_on: date) -> Decimal:
    if declared_on < REDUCED_PERIOD[0]:
        raise UnsupportedDate(declared_on)
    return Decimal("0.01") if declared_on <= REDUCED_PERIOD[1] else Decimal("0.03")


def compute(amount: Decimal, location: str, declared_on: date) -> list[TaxLine]:
    """The taxes on an invoice of ``amount`` yuan (VAT included)."""
    rate = vat_rate(declared_on)
    sales = amount / (1 + rate)
    pct = f"{(rate * 100).normalize():f}%"
    if sales < THRESHOLD:
        vat = ZERO
        zh = f"销售额 {money(sales):.2f} 未达按次起征点 {THRESHOLD} 元，不征收"
        en = f"Sales of {money(sales):.2f} below the {THRESHOLD} yuan threshold: none due"
    else:
        vat = money(sales * rate)
        zh = en = f"{amount:.2f} ÷ (1 + {pct}) × {pct}"
    return [tax_line("vat", vat, "", BASIS_VAT, zh, en), *surtaxes(vat, location, declared_on, "")]
