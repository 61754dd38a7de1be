"""Social security (社保/医保): resident pension and medical insurance services."""

from pathlib import Path

from core import hookimpl
from core.api import UnitKind

HERE = Path(__file__).parent


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key="social_security_office",
            name="社会保险事务中心",
            name_en="Social insurance centre",
            levels=("city", "district"),
            department=True,
        )
    ]


@hookimpl
def tongban_items():
    return [HERE / "items"]
