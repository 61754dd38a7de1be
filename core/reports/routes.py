"""Supervision pages: the dashboard with drill-down, the reconciliation log.

Routes parse, call a service, render. The dashboard answers htmx requests
(drill-down, a new period) with the dashboard body only and pushes the URL,
so every view has an address that can be bookmarked and shared.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Template

from core.errors import PermissionDenied
from core.reports import access, dashboard, reconcile, view
from core.reports.periods import PRESETS, local_today, parse_period
from core.reviews import rectification
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal


async def _supervisor(request: Request) -> Principal:
    principal = await provide_principal(request)
    access.require_supervision(principal)
    return principal


class DashboardController(Controller):
    path = "/reports"
    guards = [login_required]
    dependencies = {"principal": Provide(_supervisor)}

    @get("/", name="reports.dashboard")
    async def dashboard(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        unit: FromQuery[str] = "",
        start: FromQuery[str] = "",
        end: FromQuery[str] = "",
        preset: FromQuery[str] = "",
    ) -> Template:
        today = local_today()
        period = parse_period(start[:10], end[:10], preset[:16], today)
        row = await access.unit_by_code(principal, unit)
        board = await dashboard.build(principal, row, period)
        context = {
            "board": board,
            "presets": PRESETS,
            "today": today,
            "bad_reviews": await rectification.summary(row["path"], today),
            "top": access.is_top(row["path"]),
            **view.helpers(),
        }
        if request.htmx and request.htmx.target == "dashboard":
            return Template("reports/partials/dashboard_body.html", context=context)
        return Template("reports/dashboard.html", context=context)

    @get("/reconciliation", name="reports.reconciliation")
    async def reconciliation(self, principal: NamedDependency[Principal]) -> Template:
        """The runs' drift samples name any unit: for those who see the whole site."""
        if not any(access.is_top(root) for root in access.roots(principal)):
            raise PermissionDenied()
        return Template(
            "reports/reconciliation.html", context={"runs": await reconcile.recent_runs()}
        )
