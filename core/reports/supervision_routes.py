"""The red-case list and the urge action (电子督办)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.reports import access, supervision, view
from core.reports.routes import _supervisor
from core.tenancy.scope import Principal
from core.web.guards import login_required


class SupervisionController(Controller):
    path = "/reports/red"
    guards = [login_required]
    dependencies = {"principal": Provide(_supervisor)}

    @get("/", name="reports.red")
    async def red(
        self,
        principal: NamedDependency[Principal],
        unit: FromQuery[str] = "",
        page: FromQuery[int] = 1,
        urged: FromQuery[str] = "",
    ) -> Template:
        row = await access.unit_by_code(principal, unit)
        cases, total = await supervision.red_cases(principal, row, page=max(1, min(page, 10_000)))
        return Template(
            "reports/red.html",
            context={
                "unit": row,
                "cases": cases,
                "total": total,
                "page": max(1, page),
                "per_page": supervision.PER_PAGE,
                "urged": urged[:24],
                "may_urge": access.covers(principal, row["path"], write=True),
                **view.helpers(),
            },
        )

    @post("/{case_id:int}/urge", name="reports.urge")
    async def urge(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Redirect:
        form = await request.form()
        unit = (form.get("unit") or "")[:32]
        event = await supervision.urge(principal, case_id, (form.get("message") or "")[:2000])
        query = urlencode({"unit": unit, "urged": event["case"]})
        return Redirect(f"/reports/red/?{query}")
