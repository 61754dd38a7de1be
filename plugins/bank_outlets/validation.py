"""Checks on the items bank outlets accept that a form schema cannot express."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.api import N_, FieldError

SITE_TZ = ZoneInfo("Asia/Shanghai")

CHILD_IS_APPLICANT = N_("The child's ID number is the applicant's own; choose “The applicant”.")
CHILD_NOT_MINOR = N_("The child is 18 or over and applies in their own name.")
BIRTH_CERTIFICATE = N_("A medical birth certificate number is one capital letter and 9 digits.")
DIGITS_ONLY = N_("Enter digits only.")
FAMILY_NEEDS_MEMBERS = N_("A family business lists at least one family member taking part.")
FAMILY_MEMBER_IS_OPERATOR = N_("The operator is listed already; add the other family members only.")
BUSINESS_NAME_FORM = N_(
    "A business name ends with its form, such as 店, 厂, 馆, 部, 行, 中心, 工作室, 坊 or 社."
)

# The organisation forms an individual business's name may end with
# (《个体工商户名称登记管理办法》 and the local naming lists).
NAME_FORMS = (
    "店", "厂", "馆", "部", "行", "中心", "工作室", "坊", "社", "室", "场", "屋", "铺",
    "堂", "园", "所", "吧", "处", "站", "苑", "廊", "庄", "院", "厅", "城",
)  # fmt: skip

_DIGITS = re.compile(r"[0-9]+")
_BIRTH_CERTIFICATE = re.compile(r"[A-Z][0-9]{9}")


def today() -> date:
    return datetime.now(SITE_TZ).date()


def age_on(id_number: str, day: date) -> int:
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check(code: str, values: dict, context) -> list[FieldError]:
    applicant = getattr(context, "applicant", None) or {}
    return CHECKS.get(code, lambda _v, _a: [])(values, applicant)


def card_application(values: dict, applicant: dict) -> list[FieldError]:
    certificate = values.get("birth_certificate_no")
    if certificate is not None and not _BIRTH_CERTIFICATE.fullmatch(certificate):
        return [FieldError(path="birth_certificate_no", message=BIRTH_CERTIFICATE)]
    child = values.get("child_id_number")
    if not child:
        return []
    if child.upper() == str(applicant.get("id_number", "")).upper():
        return [FieldError(path="child_id_number", message=CHILD_IS_APPLICANT)]
    if age_on(child, today()) >= 18:
        return [FieldError(path="child_id_number", message=CHILD_NOT_MINOR)]
    return []


def card_replacement(values: dict, applicant: dict) -> list[FieldError]:
    last4 = values.get("old_card_number")
    if last4 and not _DIGITS.fullmatch(last4):
        return [FieldError(path="old_card_number", message=DIGITS_ONLY)]
    return []


def fund_withdrawal(values: dict, applicant: dict) -> list[FieldError]:
    errors = []
    for name in ("fund_account", "payee_account"):
        if not _DIGITS.fullmatch(re.sub(r"\s", "", values.get(name) or "")):
            errors.append(FieldError(path=name, message=DIGITS_ONLY))
    return errors


def business_registration(values: dict, applicant: dict) -> list[FieldError]:
    errors = []
    name = (values.get("business_name") or "").strip()
    if name and not name.endswith(NAME_FORMS):
        errors.append(FieldError(path="business_name", message=BUSINESS_NAME_FORM))
    if values.get("organisation") == "family":
        members = values.get("family_members") or []
        if not members:
            errors.append(FieldError(path="family_members", message=FAMILY_NEEDS_MEMBERS))
        operator = str(applicant.get("id_number", "")).upper()
        for index, member in enumerate(members):
            if member["id_number"].upper() == operator:
                errors.append(
                    FieldError(
                        path=f"family_members[{index}].id_number", message=FAMILY_MEMBER_IS_OPERATOR
                    )
                )
    return errors


CHECKS = {
    "000115010000": card_application,
    "000115011000": card_replacement,
    "000131001000": fund_withdrawal,
    "000127001000": business_registration,
}
