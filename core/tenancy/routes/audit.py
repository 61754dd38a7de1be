"""Console pages: the overview and the admin audit log."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from core.tenancy import audit, units
from core.tenancy.routes.common import ConsoleController, page
from core.tenancy.scope import Principal, admin_paths


class OverviewController(ConsoleController):
    path = "/admin"

    @get("/", name="admin")
    async def overview(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        tops = await units.top_units(principal)
        for top in tops:
            top["total"] = await units.subtree_count(top["path"])
        return await page(
            request,
            principal,
            "tenancy/overview.html",
            "overview",
            tops=tops,
            recent=await audit.entries(principal, limit=10),
            can_write=bool(admin_paths(principal, write=True)),
        )


class AuditController(ConsoleController):
    path = "/admin/audit"

    @get("/", name="admin.audit")
    async def log(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        action: FromQuery[str] = "",
        before: FromQuery[int | None] = None,
    ) -> Template:
        action = action if action in audit.ACTIONS else ""
        rows = await audit.entries(principal, action=action, before_id=before, limit=50)
        more = rows[-1]["id"] if len(rows) == 50 else None
        template = (
            "tenancy/partials/audit_rows.html"
            if request.headers.get("hx-request") and before
            else "tenancy/audit.html"
        )
        return await page(
            request,
            principal,
            template,
            "audit",
            rows=rows,
            action=action,
            more=more,
            actions=audit.ACTIONS,
        )
