"""Bank outlets (银行网点): outlets that accept items on behalf of departments."""

from core import hookimpl
from core.api import UnitKind


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key="bank_outlet",
            name="银行网点",
            name_en="Bank outlet",
            levels=("district", "township"),
            department=True,
        )
    ]
