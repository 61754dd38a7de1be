"""Console page for levels: rename, add a tier, mark allowed unit kinds, remove an unused tier."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.i18n import N_
from core.tenancy import levels
from core.tenancy.errors import Refused
from core.tenancy.routes.common import (
    ConsoleController,
    error_text,
    flash,
    form_data,
    form_list,
    page,
)
from core.tenancy.scope import Principal


class LevelsController(ConsoleController):
    path = "/admin/levels"

    @get("/", name="admin.levels")
    async def list(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return await self._page(request, principal)

    async def _page(self, request, principal, *, errors=None, values=None, status=200):
        return await page(
            request,
            principal,
            "tenancy/levels.html",
            "levels",
            status=status,
            rows=await levels.list_levels(),
            can_write=principal.is_site_admin,
            errors=errors or [],
            values=values or {},
        )

    @post("/", name="admin.levels.add")
    async def add(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            await levels.add_level(
                principal,
                data.get("key", ""),
                data.get("name", ""),
                data.get("name_en", ""),
                after=data.get("after", ""),
                unit_kinds=await form_list(request, "unit_kinds"),
            )
        except Refused as refused:
            return await self._page(
                request, principal, errors=error_text(refused), values=data, status=422
            )
        flash(request, N_("The level was added."))
        return Redirect("/admin/levels/")

    @post("/{key:str}/{action:str}", name="admin.levels.change")
    async def change(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        key: FromPath[str],
        action: FromPath[str],
    ) -> Template | Redirect:
        data = await form_data(request)
        try:
            if action == "rename":
                await levels.rename_level(
                    principal, key, data.get("name", ""), data.get("name_en", "")
                )
                flash(request, N_("The level was renamed."))
            elif action == "kinds":
                await levels.set_unit_kinds(principal, key, await form_list(request, "unit_kinds"))
                flash(request, N_("The allowed unit kinds were saved."))
            elif action == "remove":
                await levels.remove_level(principal, key)
                flash(request, N_("The level was removed."))
            else:
                raise Refused(N_("This action is not available here."))
        except Refused as refused:
            return await self._page(
                request, principal, errors=error_text(refused), values=data, status=422
            )
        return Redirect("/admin/levels/")
