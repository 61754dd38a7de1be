"""The start page: public entry points, or each role's work for a logged-in person."""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from core import db
from core.cases import queries
from core.tenancy.scope import Principal
from core.web.guards import provide_optional_principal


class HomeController(Controller):
    path = "/"
    dependencies = {"principal": Provide(provide_optional_principal)}

    @get("/", name="home")
    async def home(self, principal: NamedDependency[Principal | None]) -> Template:
        if principal is None:
            return Template("home_public.html")
        tasks = await queries.queue(principal, limit=20)
        mine = await queries.cases_filed_by(principal, limit=10)
        return Template("home.html", context={"tasks": tasks, "mine": mine})

    @get("/healthz", name="healthz", media_type=MediaType.JSON)
    async def healthz(self) -> Response:
        ok = await db.ping()
        return Response(
            {"status": "ok" if ok else "unavailable", "database": "ok" if ok else "down"},
            status_code=200 if ok else 503,
        )
