"""Showing a resident's full ID or phone number, to a role that needs it, logged.

Every page shows residents' numbers masked. A role that needs the full
value (see ``services.FULL_VIEW_ROLES``) gets a "show" button; pressing it
posts here, the view is written to the access log, and only then is the
number sent — as a small fragment, never kept in the page's URL.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.catalog.registry import get_catalog
from core.errors import PermissionDenied
from core.residents import services
from core.tenancy.scope import Principal
from core.web.account import safe_next
from core.web.guards import login_required, provide_principal

# Residents whose full ID number this person typed in this session (the card was
# in hand): they may be served even when registered elsewhere in the city.
PROVEN_KEY = "proven_residents"
PROVEN_MAX = 20


def is_proven(request: Request, resident_id: int) -> bool:
    session = request.session if "session" in request.scope else {}
    return resident_id in (session.get(PROVEN_KEY) or [])


def remember_proven(request: Request, resident_id: int) -> None:
    session = dict(request.session or {})
    ids = [i for i in session.get(PROVEN_KEY) or [] if i != resident_id]
    session[PROVEN_KEY] = [*ids[-(PROVEN_MAX - 1) :], resident_id]
    request.set_session(session)


class ResidentController(Controller):
    path = "/residents"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/of-case/{case_id:int}", name="residents.of_case")
    async def of_case(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template:
        """The applicant of a case the principal may see, masked, with "show" where allowed.

        The case pages load it as a fragment; without JavaScript it is a page of its own.
        """
        from core.cases.services import visible_case  # the web layer may look upwards

        case = await visible_case(principal, case_id)
        person = await services.applicant_view(case["resident"]) if case["resident"] else None
        context = {
            "person": person,
            "case": case,
            "may_reveal": {f: services.may_reveal(principal, f) for f in services.FIELDS},
        }
        template = (
            "residents/partials/applicant.html" if request.htmx else "residents/applicant.html"
        )
        return Template(template, context=context, headers={"Cache-Control": "no-store"})

    @get("/access-log", name="residents.access_log")
    async def access_log(
        self, principal: NamedDependency[Principal], field: FromQuery[str] = ""
    ) -> Template:
        """Who saw which resident's full ID or phone number, when and why (admins, auditors)."""
        if not services.may_read_access_log(principal):
            raise PermissionDenied()
        field = field if field in services.FIELDS else ""
        rows = await services.access_entries(principal, field=field)
        return Template(
            "residents/access_log.html",
            context={"rows": rows, "field": field, "roles": get_catalog().roles},
            headers={"Cache-Control": "no-store"},
        )

    @post("/{resident_id:int}/reveal", name="residents.reveal")
    async def reveal(
        self, request: Request, principal: NamedDependency[Principal], resident_id: FromPath[int]
    ) -> Template:
        form = await request.form()
        field = str(form.get("field") or "")[:16]
        if field not in services.FIELDS:
            raise PermissionDenied()
        purpose = str(form.get("purpose") or request.headers.get("hx-current-url") or "")[:200]
        value = await services.reveal(
            principal,
            resident_id,
            field,
            purpose=purpose,
            proven=is_proven(request, resident_id),
        )
        template = "residents/partials/revealed.html" if request.htmx else "residents/revealed.html"
        referer = request.headers.get("referer", "")
        origin = f"{request.url.scheme}://{request.url.netloc}"
        back = referer.removeprefix(origin) if referer.startswith(origin) else "/"
        return Template(
            template,
            context={"value": value, "field": field, "back": safe_next(back)},
            headers={"Cache-Control": "no-store"},
        )
