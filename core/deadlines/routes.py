"""The city admin's calendar page and API: set or remove a site's working days and holidays."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Controller, Request, delete, get, post, put
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Redirect, Template

from core.deadlines import site_calendar as store
from core.errors import TongbanError
from core.settings import site_today
from core.tenancy.scope import Principal
from core.web.guards import provide_principal, require_roles
from core.web.locale import current_locale

ADMIN = "city_admin"


def _year(value: int | None) -> int:
    today = site_today()
    return value if value and 2000 <= value <= 2100 else today.year


async def _page_context(year: int) -> dict:
    calendar = await store.site_calendar()
    return {
        "year": year,
        "overrides": await store.list_overrides(year),
        "estimated": calendar.is_estimated(year),
        "error": None,
    }


class CalendarAdminController(Controller):
    path = "/admin/calendar"
    guards = [require_roles(ADMIN)]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="calendar.admin")
    async def page(self, year: FromQuery[int | None] = None) -> Template:
        return Template("deadlines/calendar.html", context=await _page_context(_year(year)))

    @post("/", name="calendar.set")
    async def set_day(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        form = await request.form()
        try:
            day = store.parse_day(form.get("day") or "")
            action = form.get("action") or "set"
            if action == "remove":
                await store.remove_override(principal, day)
            else:
                await store.set_override(
                    principal, day, form.get("kind") or "", (form.get("name") or "")[:64]
                )
        except TongbanError as exc:
            context = await _page_context(_year(None))
            context["error"] = exc.text(current_locale.get())
            return Template("deadlines/calendar.html", context=context, status_code=exc.status_code)
        return Redirect(f"/admin/calendar/?year={day.year}")


class OverrideIn(msgspec.Struct):
    kind: str  # workday | holiday
    name: str = ""


class OverrideOut(msgspec.Struct):
    day: dt.date
    kind: str
    name: str
    source: str


class CalendarApi(Controller):
    path = "/api/v1/calendar"
    guards = [require_roles(ADMIN)]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["admin"]

    @get("/overrides")
    async def overrides(self, year: FromQuery[int | None] = None) -> list[OverrideOut]:
        """The site's overrides of a year (site.toml's and the admin's)."""
        return [
            OverrideOut(day=o.day, kind=o.kind, name=o.name, source=o.source)
            for o in await store.list_overrides(_year(year))
        ]

    @put("/overrides/{day:str}")
    async def put_override(
        self, principal: NamedDependency[Principal], day: FromPath[str], data: JSONBody[OverrideIn]
    ) -> OverrideOut:
        """Make a day a working day or a holiday; open cases' deadlines are recomputed."""
        parsed = store.parse_day(day)
        await store.set_override(principal, parsed, data.kind, data.name[:64])
        return OverrideOut(day=parsed, kind=data.kind, name=data.name[:64], source="admin")

    @delete("/overrides/{day:str}", status_code=204)
    async def delete_override(
        self, principal: NamedDependency[Principal], day: FromPath[str]
    ) -> None:
        """Drop the admin's override of a day (the official schedule applies again)."""
        await store.remove_override(principal, store.parse_day(day))
