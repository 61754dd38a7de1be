"""Tax joint office (联合办税): taxpayer services at the district tax bureau."""

from core import hookimpl
from core.api import UnitKind


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key="tax_office",
            name="税务局",
            name_en="Tax bureau",
            levels=("city", "district", "township"),
            department=True,
        )
    ]
