"""A third-party plugin whose decision goes to a kind of unit the demo site has none of:
``civil_affairs_office`` at district level (the walkthrough's friction)."""

from __future__ import annotations

from core import hookimpl
from core.api import UnitKind
from tests.cases.world import item, step

NAME = "civil_affairs"
ITEM_CODE = "990000000301"
ITEM_NAME = "低保申请测试"
KIND = "civil_affairs_office"
ITEM = item(
    ITEM_CODE,
    ITEM_NAME,
    [
        step(
            "decide",
            "decide",
            KIND,
            "dept_approver",
            name="区县民政审批",
            name_en="Civil affairs decision",
        )
    ],
    department=KIND,
)


@hookimpl
def tongban_unit_kinds():
    return [
        UnitKind(
            key=KIND,
            name="民政局",
            name_en="Civil affairs bureau",
            levels=("district",),
            department=True,
        )
    ]


@hookimpl
def tongban_items():
    return [ITEM]
