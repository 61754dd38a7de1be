"""Social security (社保/医保): resident pension and medical insurance services.

Declares four items (``items/*.toml``) for the social insurance centre and
the medical insurance centre, the checks their forms cannot express, and the
layout of the social insurance record e-licence.
"""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.api import UnitKind
from plugins.social_security import documents, validation

HERE = Path(__file__).parent

PENSION_ENROLMENT = "000115002000"
MEDICAL_ENROLMENT = "000115003000"
RECORD_PRINTOUT = "000115004000"
ELIGIBILITY_CERTIFICATION = "000115005000"
ITEM_CODES = frozenset(
    {PENSION_ENROLMENT, MEDICAL_ENROLMENT, RECORD_PRINTOUT, ELIGIBILITY_CERTIFICATION}
)


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key="social_security_office",
            name="社会保险事务中心",
            name_en="Social insurance centre",
            levels=("city", "district"),
            department=True,
        ),
        UnitKind(
            key="medical_insurance_office",
            name="医疗保障事务中心",
            name_en="Medical insurance centre",
            levels=("city", "district"),
            department=True,
        ),
    ]


@hookimpl
def tongban_items():
    return [HERE / "items"]


@hookimpl
def tongban_locale_dirs():
    return [HERE / "locale"]


@hookimpl
def tongban_validate_submission(item, values, context):
    if item.code not in ITEM_CODES:
        return None
    return validation.check(item.code, values, context)


@hookimpl
def tongban_render_document(kind, item, case, values, holder):
    if kind == "licence" and item.code == RECORD_PRINTOUT:
        return documents.social_insurance_record(item, case, values, holder)
    return None
