"""A department plugin used by the catalogue's tests, registered at run time.

It implements the core's declaration and behaviour hooks so that the tests
can watch each being called: items (a TOML folder), unit kinds, roles,
computed fields, extra validation, case events and actors.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from core import hookimpl
from core.api import N_, FieldError, Role, UnitKind

NAME = "sample_plugin"
ITEM_CODE = "992498329023"
ITEMS = Path(__file__).parent / "sample_items"
SEEN_EVENTS: list[tuple[int, str]] = []  # (case id, event kind) the hook was told about


@hookimpl
def tongban_unit_kinds():
    return [UnitKind(key="sample_office", name="示例局", name_en="Sample bureau", department=True)]


@hookimpl
def tongban_roles():
    return [Role(key="sample_inspector", name="示例检查员", name_en="Sample inspector")]


@hookimpl
def tongban_items():
    return [ITEMS]


def total_area(values: dict) -> Decimal | None:
    plots = values.get("plots") or []
    return sum((plot["area"] for plot in plots), Decimal("0.00")) if plots else None


@hookimpl
def tongban_computed_fields():
    return {"sample_total_area": total_area}


@hookimpl
def tongban_validate_submission(item, values, context):
    if item.code != ITEM_CODE:
        return None
    if (total_area(values) or 0) > 500:
        return [
            FieldError(
                path="plots",
                message=N_("A family farm larger than %(max)s mu is registered with the city"),
                params={"max": "500"},
            )
        ]
    return []


@hookimpl
async def tongban_case_event(case, event):
    if case["item_code"] == ITEM_CODE:
        SEEN_EVENTS.append((case["id"], event["kind"]))


@hookimpl
def tongban_actors():
    # A module path: imported in the worker, after the core has installed the broker.
    return ["tests.catalog.sample_actors"]
