"""The tenancy module as a built-in plugin: roles, unit kinds, tables, admin console, CLI."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl
from core.tenancy.model import Role, UnitKind

ROLES = [
    Role(key="village_agent", name="村（社区）代办员", name_en="Village agent"),
    Role(key="window_clerk", name="窗口人员", name_en="Window clerk"),
    Role(key="dept_reviewer", name="部门审核人员", name_en="Department reviewer"),
    Role(key="dept_approver", name="部门审批人员", name_en="Department approver"),
    Role(key="unit_supervisor", name="督办负责人", name_en="Unit supervisor"),
    Role(key="district_admin", name="区县管理员", name_en="District admin", admin=True),
    Role(key="city_admin", name="市级管理员", name_en="City admin", admin=True, root_only=True),
    Role(key="auditor", name="审计员（只读）", name_en="Auditor (read-only)", read_only=True),
]

UNIT_KINDS = [
    UnitKind(key="city", name="市", name_en="City", levels=("city",)),
    UnitKind(key="district", name="区县", name_en="District", levels=("district",)),
    UnitKind(key="township", name="乡镇（街道）", name_en="Township", levels=("township",)),
    UnitKind(
        key="village", name="村（社区）代办点", name_en="Village agency point", levels=("village",)
    ),
    UnitKind(
        key="service_centre",
        name="政务服务中心",
        name_en="Service centre",
        levels=("city", "district", "township"),
    ),
    UnitKind(key="window", name="窗口", name_en="Window", levels=("city", "district", "township")),
]


@hookimpl(trylast=True)
def tongban_roles():
    return ROLES


@hookimpl(trylast=True)
def tongban_unit_kinds():
    return UNIT_KINDS


@hookimpl
def tongban_piccolo_apps():
    return ["core.tenancy.piccolo_app"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_route_handlers():
    from core.tenancy.routes import ROUTE_HANDLERS

    return ROUTE_HANDLERS


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_register_commands(cli):
    from core.tenancy.cli import units

    cli.add_command(units)


@hookimpl
def tongban_scope_path_columns():
    # The cases module keeps the filing unit's path on each case and bundle. This
    # declaration belongs in core/cases/plugin.py; it lives here until that
    # module declares it itself (a duplicate is harmless: columns are deduplicated).
    from core.cases.tables import Bundle, Case

    return [Case.scope_path, Bundle.scope_path]
