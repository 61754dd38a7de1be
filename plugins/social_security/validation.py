"""Checks on social security submissions that a form schema cannot express."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.api import N_, FieldError

SITE_TZ = ZoneInfo("Asia/Shanghai")

TOO_YOUNG = N_("Only residents aged 16 or over can enrol in the resident pension scheme.")
NOT_PENSION_AGE = N_(
    "Only pensioners (aged 60 or over) certify their eligibility; check the applicant's ID number."
)
NEWBORN_TOO_OLD = N_(
    "A child more than 90 days old enrols as a pre-school child; its cover then starts "
    "after the waiting period."
)
BIRTH_CERTIFICATE = N_("A medical birth certificate number is one capital letter and 9 digits.")
CHILD_IS_APPLICANT = N_("The child's ID number is the applicant's own; choose “The applicant”.")
CERTIFICATION_YEAR = N_("Certify for the current year (or the previous one, if it was missed).")
PERIOD_REVERSED = N_("The start of the period must not be after its end.")

_BIRTH_CERTIFICATE = re.compile(r"[A-Z][0-9]{9}")


def today() -> date:
    return datetime.now(SITE_TZ).date()


def as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def age_on(id_number: str, day: date) -> int:
    born = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check(code: str, values: dict, context) -> list[FieldError]:
    applicant = getattr(context, "applicant", None) or {}
    return CHECKS.get(code, lambda _v, _a: [])(values, applicant)


def pension_enrolment(values: dict, applicant: dict) -> list[FieldError]:
    id_number = applicant.get("id_number")
    if id_number and age_on(id_number, today()) < 16:
        return [FieldError(path="applicant.id_number", message=TOO_YOUNG)]
    return []


def medical_enrolment(values: dict, applicant: dict) -> list[FieldError]:
    errors = []
    if values.get("category") == "newborn" and (today() - as_date(values["birth_date"])).days > 90:
        errors.append(FieldError(path="birth_date", message=NEWBORN_TOO_OLD))
    number = values.get("birth_certificate_no")
    if number is not None and not _BIRTH_CERTIFICATE.fullmatch(number):
        errors.append(FieldError(path="birth_certificate_no", message=BIRTH_CERTIFICATE))
    child_id = values.get("insured_id_number")
    if child_id and child_id.upper() == str(applicant.get("id_number", "")).upper():
        errors.append(FieldError(path="insured_id_number", message=CHILD_IS_APPLICANT))
    return errors


def record_printout(values: dict, applicant: dict) -> list[FieldError]:
    if as_date(values["period_from"]) > as_date(values["period_to"]):
        return [FieldError(path="period_from", message=PERIOD_REVERSED)]
    return []


def eligibility_certification(values: dict, applicant: dict) -> list[FieldError]:
    errors = []
    id_number = applicant.get("id_number")
    if id_number and age_on(id_number, today()) < 60:
        errors.append(FieldError(path="applicant.id_number", message=NOT_PENSION_AGE))
    if int(values["certification_year"]) not in (today().year, today().year - 1):
        errors.append(FieldError(path="certification_year", message=CERTIFICATION_YEAR))
    return errors


CHECKS = {
    "000115002000": pension_enrolment,
    "000115003000": medical_enrolment,
    "000115004000": record_printout,
    "000115005000": eligibility_certification,
}
