"""Public security (公安): household registration and identity documents."""

from core import hookimpl
from core.api import UnitKind


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
