"""Pages for filing a case: the agent's item list and filing form (a case and the desk
are in :mod:`core.cases.case_routes`, bundles in :mod:`core.cases.bundle_routes`)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Redirect, Template

from core.cases import services
from core.cases.applicant import APPLICANT_FORM
from core.cases.forms_io import split_submission
from core.catalog.form_context import form_context
from core.catalog.form_routes import render_context
from core.catalog.forms import validate
from core.catalog.registry import get_catalog
from core.errors import ItemNotAvailable, PermissionDenied, ValidationFailed
from core.tenancy.scope import Principal
from core.web.guards import provide_principal, require_roles


def _filing_membership(principal: NamedDependency[Principal]):
    memberships = principal.memberships_with(*services.FILING_ROLES)
    if not memberships:
        raise PermissionDenied()
    return memberships[0]


class FilingController(Controller):
    """A village agent (or window clerk) files a case for a resident."""

    path = "/file"
    guards = [require_roles(*services.FILING_ROLES)]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="file.items")
    async def items(
        self, principal: NamedDependency[Principal], q: FromQuery[str] = ""
    ) -> Template:
        membership = _filing_membership(principal)
        items = await services.available_items(
            _unit_of(membership), proxy=membership.role == "village_agent"
        )
        if q:
            needle = q.strip().lower()
            items = [
                i
                for i in items
                if needle in i.name.lower()
                or needle in i.name_en.lower()
                or any(needle in k.lower() for k in i.keywords)
            ]
        return HTMXTemplate(
            template_name="cases/items.html",
            context={"items": items, "q": q, "membership": membership},
        )

    @get("/{item_code:str}", name="file.form")
    async def form(
        self, principal: NamedDependency[Principal], item_code: FromPath[str]
    ) -> Template:
        membership = _filing_membership(principal)
        item = await _available(item_code, membership)
        return Template(
            "cases/file.html",
            context={
                "item": item,
                "applicant_form": APPLICANT_FORM,
                "values": {},
                "applicant": {},
                "errors": {},
                "membership": membership,
                # the item's form section: views, urls, places (core/catalog)
                **await render_context(item, {}, staff_id=principal.staff_id, show=set()),
            },
        )

    @post("/{item_code:str}/check", name="file.check")
    async def check(
        self, request: Request, principal: NamedDependency[Principal], item_code: FromPath[str]
    ) -> Template:
        """Live validation of one field, with the same rules the submission uses."""
        membership = _filing_membership(principal)
        item = await _available(item_code, membership)
        pairs = list((await request.form()).multi_items())  # read twice below
        field = next((v for k, v in pairs if k == "_field"), "")
        applicant, data = split_submission(pairs)
        known = (await form_context(data, staff_id=principal.staff_id)).kwargs()
        if field.startswith("applicant."):
            result = validate(
                APPLICANT_FORM, applicant, only=field.removeprefix("applicant."), **known
            )
        else:
            result = validate(item.form, data, computed=get_catalog().computed, only=field, **known)
        errors = [e for e in result.errors if f"applicant.{e.path}" == field or e.path == field]
        return Template(
            "cases/partials/field_errors.html", context={"errors": errors, "field": field}
        )

    @post("/{item_code:str}", name="file.submit")
    async def submit(
        self, request: Request, principal: NamedDependency[Principal], item_code: FromPath[str]
    ) -> Template | Redirect:
        membership = _filing_membership(principal)
        item = await _available(item_code, membership)
        pairs = list((await request.form()).multi_items())  # read twice below
        applicant, data = split_submission(pairs)
        key = next((v for k, v in pairs if k == "_idempotency_key"), None) or None
        try:
            case = await services.submit(
                principal,
                unit_id=membership.unit_id,
                item_code=item.code,
                applicant=applicant,
                data=data,
                idempotency_key=key[:80] if key else None,
            )
        except ValidationFailed as failed:
            errors: dict[str, list] = {}
            for error in failed.errors:
                errors.setdefault(error.path, []).append(error)
            return Template(
                "cases/file.html",
                context={
                    "item": item,
                    "applicant_form": APPLICANT_FORM,
                    "values": data,
                    "applicant": applicant,
                    "errors": errors,
                    "membership": membership,
                    **await render_context(
                        item, data, staff_id=principal.staff_id, errors=failed.errors
                    ),
                },
                status_code=422,
            )
        return Redirect(f"/cases/{case['id']}?filed=1")


def _unit_of(membership) -> dict:
    return {"path": membership.unit_path, "level": membership.level, "name": membership.unit_name}


async def _available(item_code: FromPath[str], membership):
    item = get_catalog().items.get(item_code)
    if item is None:
        raise ItemNotAvailable(unit=membership.unit_name, reason="no such item")
    await services.check_item_available(
        item, _unit_of(membership), proxy=membership.role == "village_agent"
    )
    return item
