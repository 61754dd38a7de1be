"""The admin console (``/admin/…``): levels, the unit tree, import and export, staff,
API tokens and the audit log. Thin controllers over the tenancy services."""

from core.tenancy.routes.audit import AuditController, OverviewController
from core.tenancy.routes.imports import ImportController
from core.tenancy.routes.levels import LevelsController
from core.tenancy.routes.staff import StaffController
from core.tenancy.routes.tokens import TokensController
from core.tenancy.routes.units import ExportController, UnitsController

ROUTE_HANDLERS = [
    OverviewController,
    LevelsController,
    UnitsController,
    ExportController,
    ImportController,
    StaffController,
    TokensController,
    AuditController,
]
