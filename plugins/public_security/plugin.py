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
