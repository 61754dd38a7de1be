"""Console pages for the unit tree: browse (htmx), search, view, create, rename, move, (de)activate."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Redirect, Response, Template

from core.i18n import N_
from core.tenancy import units
from core.tenancy.errors import PasswordRejected, Refused
from core.tenancy.routes.common import (
    ConsoleController,
    error_text,
    flash,
    form_data,
    names,
    page,
)
from core.tenancy.scope import Principal, in_admin_scope
from core.tenancy.tables import Membership

ACTIONS = ("rename", "move", "level", "deactivate", "activate", "create")


class UnitsController(ConsoleController):
    path = "/admin/units"

    @get("/", name="admin.units")
    async def tree(
        self, request: Request, principal: NamedDependency[Principal], q: FromQuery[str] = ""
    ) -> Template:
        q = q[:64]
        found = await units.search(principal, q) if q.strip() else None
        if request.headers.get("hx-request") and request.headers.get("hx-target") == "unit-results":
            return HTMXTemplate(
                template_name="tenancy/partials/unit_results.html",
                context={"found": found, "q": q, **await names()},
                push_url=f"/admin/units/?q={quote(q)}" if q else "/admin/units/",
            )
        return await page(
            request,
            principal,
            "tenancy/units.html",
            "units",
            top=await units.top_units(principal),
            found=found,
            q=q,
        )

    @get("/{unit_id:int}/children", name="admin.units.children")
    async def children(
        self, principal: NamedDependency[Principal], unit_id: FromPath[int]
    ) -> Template:
        return Template(
            "tenancy/partials/unit_children.html",
            context={"children": await units.children(principal, unit_id), **await names()},
        )

    @get("/{unit_id:int}", name="admin.unit")
    async def unit(
        self, request: Request, principal: NamedDependency[Principal], unit_id: FromPath[int]
    ) -> Template:
        return await self._unit_page(request, principal, unit_id)

    async def _unit_page(
        self,
        request: Request,
        principal: Principal,
        unit_id: int,
        *,
        errors: list[str] | None = None,
        action: str = "",
        values: dict | None = None,
        status: int = 200,
    ) -> Template:
        unit = await units.get_unit(principal, unit_id)
        staff = await Membership.select(
            Membership.id,
            Membership.role,
            Membership.staff.id,
            Membership.staff.username,
            Membership.staff.display_name,
            Membership.staff.active,
        ).where((Membership.unit == unit_id) & (Membership.staff.service == False))  # noqa: E712
        return await page(
            request,
            principal,
            "tenancy/unit.html",
            "units",
            status=status,
            unit=unit,
            crumbs=await units.ancestors(unit),
            children=await units.children(principal, unit_id),
            staff=staff,
            can_write=in_admin_scope(principal, unit["path"], write=True),
            errors=errors or [],
            action=action,
            values=values or {},
        )

    @post("/{unit_id:int}/{action:str}", name="admin.unit.change")
    async def change(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        unit_id: FromPath[int],
        action: FromPath[str],
    ) -> Template | Redirect:
        if action not in ACTIONS:
            raise Refused(N_("This action is not available here."))
        data = await form_data(request)
        target = unit_id
        try:
            if action == "rename":
                await units.rename_unit(
                    principal, unit_id, data.get("name", ""), data.get("name_en", "")
                )
                flash(request, N_("The unit was renamed."))
            elif action == "move":
                moved = await units.move_unit(principal, unit_id, data.get("parent_code", ""))
                flash(request, N_("Moved %(count)s units."), count=moved)
            elif action == "level":
                await units.change_level(principal, unit_id, data.get("level", ""))
                flash(request, N_("The unit's level was changed."))
            elif action in ("deactivate", "activate"):
                await units.set_active(principal, unit_id, action == "activate")
                flash(
                    request,
                    N_("The unit was reactivated.")
                    if action == "activate"
                    else N_("The unit was deactivated."),
                )
            else:
                target = await units.create_unit(
                    principal,
                    unit_id,
                    code=data.get("code", ""),
                    name=data.get("name", ""),
                    name_en=data.get("name_en", ""),
                    kind=data.get("kind", ""),
                    level=data.get("level", ""),
                )
                flash(request, N_("The unit was created."))
        except (Refused, PasswordRejected) as refused:
            return await self._unit_page(
                request,
                principal,
                unit_id,
                errors=error_text(refused),
                action=action,
                values=data,
                status=422,
            )
        return Redirect(f"/admin/units/{target}")


class ExportController(ConsoleController):
    path = "/admin/units/export.csv"

    @get("/", name="admin.units.export")
    async def export(self, principal: NamedDependency[Principal]) -> Response:
        text = await units.export_csv(principal)
        return Response(
            # A BOM lets Excel on a Chinese desktop open the UTF-8 file correctly.
            "\ufeff" + text,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": 'attachment; filename="units.csv"'},
        )
