"""Checks on public security submissions that a form schema cannot express."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from core.api import N_, FieldError

SITE_TZ = ZoneInfo("Asia/Shanghai")

TEMPORARY_VALIDITY = timedelta(days=90)  # 临时居民身份证有效期三个月

NEEDED_TOO_LATE = N_(
    "A temporary ID card is valid for three months; for a later date, wait for the ID card itself."
)
SAME_ADDRESS = N_("The new address is the current one.")
COMPANION_TWICE = N_("This person is listed twice.")
COMPANION_IS_APPLICANT = N_("The applicant moves anyway; list only the family members moving too.")
BIRTH_CERTIFICATE = N_("A medical birth certificate number is one capital letter and 9 digits.")
NOT_A_MAN = N_("This ID number belongs to a woman; check the father's ID number.")
NOT_A_WOMAN = N_("This ID number belongs to a man; check the mother's ID number.")
FATHER_NEEDED = N_("To register the baby with the father, give the father's name and ID number.")
APPLICANT_NOT_PARENT = N_(
    "The applicant must be one of the parents; a relative or carer files with the parents' "
    "written consent at the police station."
)
LATE_REASON = N_("The birth was more than a month ago: say why it is registered late.")
SIX_MONTHS = N_(
    "A residence permit needs six months' residence here; it can be applied for from %(day)s."
)

_BIRTH_CERTIFICATE = re.compile(r"[A-Z][0-9]{9}")


def today() -> date:
    return datetime.now(SITE_TZ).date()


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def is_man(id_number: str) -> bool:
    """GB 11643: the 17th digit is odd for men, even for women."""
    return int(id_number[16]) % 2 == 1


def months_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def check(code: str, values: dict, context) -> list[FieldError]:
    applicant = getattr(context, "applicant", None) or {}
    return CHECKS.get(code, lambda _v, _a: [])(values, applicant)


def temporary_id(values: dict, applicant: dict) -> list[FieldError]:
    if as_date(values["needed_by"]) > today() + TEMPORARY_VALIDITY:
        return [FieldError(path="needed_by", message=NEEDED_TOO_LATE)]
    return []


def household_transfer(values: dict, applicant: dict) -> list[FieldError]:
    errors = []
    if values["from_address"] == values["to_address"]:
        errors.append(FieldError(path="to_address", message=SAME_ADDRESS))
    seen = {str(applicant.get("id_number", "")).upper()}
    for index, person in enumerate(values.get("companions") or []):
        number = person["id_number"].upper()
        if number == str(applicant.get("id_number", "")).upper():
            errors.append(
                FieldError(path=f"companions[{index}].id_number", message=COMPANION_IS_APPLICANT)
            )
        elif number in seen:
            errors.append(
                FieldError(path=f"companions[{index}].id_number", message=COMPANION_TWICE)
            )
        seen.add(number)
    return errors


def birth_registration(values: dict, applicant: dict) -> list[FieldError]:
    errors = []
    if not _BIRTH_CERTIFICATE.fullmatch(values["birth_certificate_no"]):
        errors.append(FieldError(path="birth_certificate_no", message=BIRTH_CERTIFICATE))
    father, mother = values.get("father_id_number"), values["mother_id_number"]
    if father and not is_man(father):
        errors.append(FieldError(path="father_id_number", message=NOT_A_MAN))
    if is_man(mother):
        errors.append(FieldError(path="mother_id_number", message=NOT_A_WOMAN))
    if values["follows"] == "father" and not (father and values.get("father_name")):
        errors.append(FieldError(path="father_id_number", message=FATHER_NEEDED))
    parents = {n.upper() for n in (father, mother) if n}
    if applicant.get("id_number") and applicant["id_number"].upper() not in parents:
        errors.append(FieldError(path="applicant.id_number", message=APPLICANT_NOT_PARENT))
    late = months_later(as_date(values["birth_date"]), 1) < today()
    if late and not (values.get("late_reason") or "").strip():
        errors.append(FieldError(path="late_reason", message=LATE_REASON))
    return errors


def residence_permit(values: dict, applicant: dict) -> list[FieldError]:
    eligible = months_later(as_date(values["resident_since"]), 6)
    if eligible > today():
        return [
            FieldError(
                path="resident_since", message=SIX_MONTHS, params={"day": eligible.isoformat()}
            )
        ]
    return []


CHECKS = {
    "000112001000": temporary_id,
    "000112002000": household_transfer,
    "000112003000": birth_registration,
    "000112004000": residence_permit,
}
