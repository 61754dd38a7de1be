"""Public security (公安): household registration and identity documents.

Declares five items (``items/*.toml``) handled by township police stations
and the district public security bureau, the checks their forms cannot
express, and the layout of the no-criminal-record certificate e-licence.
"""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.api import UnitKind
from plugins.public_security import documents, validation

HERE = Path(__file__).parent

TEMPORARY_ID = "000112001000"
HOUSEHOLD_TRANSFER = "000112002000"
BIRTH_REGISTRATION = "000112003000"
RESIDENCE_PERMIT = "000112004000"
NO_CRIMINAL_RECORD = "000112005000"
ITEM_CODES = frozenset(
    {TEMPORARY_ID, HOUSEHOLD_TRANSFER, BIRTH_REGISTRATION, RESIDENCE_PERMIT, NO_CRIMINAL_RECORD}
)


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key="police_office",
            name="公安局（派出所）",
            name_en="Public security bureau",
            levels=("city", "district", "township"),
            department=True,
        )
    ]


@hookimpl
def tongban_items():
    return [HERE / "items"]


@hookimpl
def tongban_locale_dirs():
    return [HERE / "locale"]


# 新生儿出生一件事: the birth registration leads, the social security plugin's medical
# insurance enrolment and the bank outlets' card application follow in the same
# application (国发〔2024〕3号 lists it among the first "一件事" to be done at once).
NEWBORN_BUNDLE = {
    "code": "newborn",
    "name": "新生儿出生一件事（出生登记、医保参保、社保卡申领）",
    "name_en": "Newborn: birth registration, medical insurance and social security card",
    "items": [BIRTH_REGISTRATION, "000115003000", "000115010000"],
    "shared_materials": ["birth_certificate"],
    "summary": "婴儿出生后，父母一方在村（社区）代办点一次申请，同时办理出生登记（派出所）、"
    "城乡居民医保参保登记（医保中心）和社会保障卡申领（银行网点），出生医学证明只需提交一次，"
    "凭一个办件编码查询全部进度。",
    "summary_en": "After a birth, one parent applies once at the village agency point for the "
    "birth registration (police station), resident medical insurance (medical insurance "
    "centre) and a social security card (bank outlet); the birth certificate is handed in "
    "once and one tracking code follows all three.",
}


@hookimpl
def tongban_bundles():
    return [NEWBORN_BUNDLE]


@hookimpl
def tongban_validate_submission(item, values, context):
    if item.code not in ITEM_CODES:
        return None
    return validation.check(item.code, values, context)


@hookimpl
def tongban_render_document(kind, item, case, values, holder):
    if kind == "licence" and item.code == NO_CRIMINAL_RECORD:
        return documents.no_criminal_record_certificate(item, case, values, holder)
    return None
