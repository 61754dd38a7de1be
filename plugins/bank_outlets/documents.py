"""Layout of the electronic business licence issued through the bank outlet's registration.

The licence carries the unified social credit code the registration assigns.
For an individual business it is ``92`` (registered by market regulation, an
individual business), the 6-digit division of the registering district, a
9-character organisation code and a check character (GB 32100-2015). The
organisation code here is the case's tracking-code serial, which is unique
per division and day (its date and serial written in the code's 31 characters), under a
letter reserved for this channel, with its own GB 11714 check character —
the same registration always gets the same code, and no two get one code.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import uscc

from core.api import site_today

_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z


def organisation_check(body: str) -> str:
    """GB 11714 check character of an 8-character organisation code body."""
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def _base31(number: int, width: int) -> str:
    digits = ""
    for _ in range(width):
        number, rest = divmod(number, len(_CODE_ALPHABET))
        digits = _CODE_ALPHABET[rest] + digits
    return digits


def credit_code(tracking_code: str) -> str:
    division = tracking_code[:6]
    filed = date(
        2000 + int(tracking_code[6:8]), int(tracking_code[8:10]), int(tracking_code[10:12])
    )
    serial = (filed - date(2000, 1, 1)).days * 100_000 + int(tracking_code[12:17])
    body = "L" + _base31(serial, 7)  # below 31**7 until the year 2099
    base = "92" + division + body + organisation_check(body)
    return base + uscc.calc_check_digit(base)


def business_licence(item, case: dict, values: dict, holder) -> dict:
    code = credit_code(case["tracking_code"])
    organisation = {"individual": "个人经营", "family": "家庭经营"}[values["organisation"]]
    premises = values["premises"]
    return {
        "title": "营业执照",
        "number": code,
        "rows": [
            ("统一社会信用代码", code),
            ("名称", values.get("business_name") or "（无）"),
            ("类型", "个体工商户"),
            ("经营者", holder.name),
            ("组成形式", organisation),
            (
                "经营场所",
                premises.get("detail", "") if isinstance(premises, dict) else str(premises),
            ),
            ("经营范围", values["business_scope"]),
            ("注册日期", site_today(case.get("decided_at")).isoformat()),
        ],
        "paragraphs": ["国家市场监督管理总局监制。电子营业执照与纸质营业执照具有同等法律效力。"],
    }
