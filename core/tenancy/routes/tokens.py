"""Console page for API tokens: create one for a department system, revoke it."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.i18n import N_
from core.tenancy import tokens
from core.tenancy.errors import Refused
from core.tenancy.routes.common import ConsoleController, error_text, flash, form_data, page
from core.tenancy.scope import Principal, admin_paths


class TokensController(ConsoleController):
    path = "/admin/tokens"

    @get("/", name="admin.tokens")
    async def list(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return await self._page(request, principal)

    async def _page(self, request, principal, *, errors=None, values=None, secret=None, status=200):
        return await page(
            request,
            principal,
            "tenancy/tokens.html",
            "tokens",
            status=status,
            rows=await tokens.list_tokens(principal),
            errors=errors or [],
            values=values or {},
            secret=secret,
            can_write=bool(admin_paths(principal, write=True)),
        )

    @post("/", name="admin.tokens.create")
    async def create(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        data = await form_data(request)
        days = data.get("valid_days", "365").strip()
        try:
            if not days.isdigit():
                raise Refused(N_("A token is valid for 1 to 3,660 days."))
            _, secret = await tokens.create_token(
                principal,
                name=data.get("name", ""),
                unit_code=data.get("unit_code", ""),
                role=data.get("role", ""),
                valid_days=int(days),
            )
        except Refused as refused:
            return await self._page(
                request, principal, errors=error_text(refused), values=data, status=422
            )
        # Shown on this response only; never stored in clear.
        response = await self._page(request, principal, secret=secret, status=201)
        response.headers["cache-control"] = "no-store"
        return response

    @post("/{token_id:int}/revoke", name="admin.tokens.revoke")
    async def revoke(
        self, request: Request, principal: NamedDependency[Principal], token_id: FromPath[int]
    ) -> Redirect:
        await tokens.revoke_token(principal, token_id)
        flash(request, N_("The token was revoked."))
        return Redirect("/admin/tokens/")
