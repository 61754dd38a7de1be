"""Workbench: fill an item's form for a resident, attach materials, see the cost, submit."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.catalog.form_context import form_context
from core.catalog.form_routes import render_context
from core.catalog.forms import find_field, parse_html_form, validate
from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.errors import ValidationFailed
from core.i18n import gettext
from core.materials import services as materials
from core.materials.routes import store_posted_files
from core.residents import services as residents
from core.tenancy.scope import MembershipView, Principal
from core.web.guards import provide_principal
from core.web.locale import current_locale
from core.workbench import services
from core.workbench.common import GUARD, control, errors_by_path, is_proven, text_pairs
from core.workbench.routes_residents import pending_consents

# Uploads may travel with the form when the page runs without JavaScript.
MAX_FORM_BODY = materials.DEFAULT_MAX_BYTES * 6


async def places(membership: MembershipView) -> list[dict]:
    """Places an address field offers: the administrative units of the agent's district."""
    from core.tenancy.scope import under
    from core.tenancy.tables import Unit

    parts = [p for p in membership.unit_path.split("/") if p]
    district = "/" + "/".join(parts[:2]) + "/" if len(parts) >= 2 else membership.unit_path
    rows = await (
        Unit.select(Unit.code, Unit.name, Unit.name_en, Unit.level, Unit.path)
        .where(
            under(Unit.path, district)
            & Unit.kind.is_in(["district", "township", "village"])
            & (Unit.active == True)  # noqa: E712
        )
        .order_by(Unit.path)
        .limit(2000)
    )
    return [r for r in rows if len(r["code"]) == 12 and r["code"].isdigit()]


class FilingDeskController(Controller):
    path = "/workbench/residents/{resident_id:int}/file/{item_code:str}"
    guards = [GUARD]
    dependencies = {"principal": Provide(provide_principal)}

    async def _setup(
        self, request: Request, principal: Principal, resident_id: int, item_code: str
    ):
        proven = is_proven(request, resident_id)
        person, applicant = await residents.for_filing(principal, resident_id, proven=proven)
        membership = services.filing_membership(principal)
        item = await services.item_for(membership, item_code)
        return person, applicant, membership, item

    async def _page(
        self,
        principal: Principal,
        person,
        applicant: dict,
        membership: MembershipView,
        item: Item,
        *,
        values: dict,
        errors: dict,
        uploads: dict[str, list[dict]],
        status_code: int = 200,
    ) -> Template:
        # The item's form section is the catalogue's (groups, conditions, computed
        # fields and file fields, re-rendered by the server on every change).
        section = await render_context(
            item, values, staff_id=principal.staff_id, show=None if errors else set()
        )
        other_paths = {p for p in errors if p and find_field(item.form, p) is None}
        return Template(
            "workbench/file.html",
            context={
                **section,
                "person": person,
                "item": item,
                "membership": membership,
                "errors": errors,
                "other_paths": other_paths,
                "uploads": uploads,
                "places": await places(membership),
                "max_bytes": materials.max_bytes(),
                "consents": await pending_consents(principal, applicant),
                "needs_consent": membership.role == "village_agent",
                "base": f"/workbench/residents/{person.id}/file/{item.code}",
            },
            status_code=status_code,
        )

    @get("/", name="workbench.file_form")
    async def form(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        resident_id: FromPath[int],
        item_code: FromPath[str],
    ) -> Template:
        person, applicant, membership, item = await self._setup(
            request, principal, resident_id, item_code
        )
        return await self._page(
            principal, person, applicant, membership, item, values={}, errors={}, uploads={}
        )

    @post("/check", name="workbench.file_check")
    async def check(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        resident_id: FromPath[int],
        item_code: FromPath[str],
    ) -> Template:
        """Live validation of one field, with the very rules the submission uses."""
        *_, item = await self._setup(request, principal, resident_id, item_code)
        pairs = list((await request.form()).multi_items())
        field = control(pairs, "_field", 200)
        data = parse_html_form(text_pairs(pairs))
        known = (await form_context(data, staff_id=principal.staff_id)).kwargs()
        result = validate(item.form, data, computed=get_catalog().computed, only=field, **known)
        return Template(
            "cases/partials/field_errors.html", context={"errors": result.errors, "field": field}
        )

    @post("/", name="workbench.file_submit", request_max_body_size=MAX_FORM_BODY)
    async def submit(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        resident_id: FromPath[int],
        item_code: FromPath[str],
    ) -> Template | Redirect:
        person, applicant, membership, item = await self._setup(
            request, principal, resident_id, item_code
        )
        pairs: list[tuple[str, Any]] = list((await request.form()).multi_items())
        # Files chosen without JavaScript arrive with the form: store them first.
        posted_materials, posted_fields, upload_errors = await store_posted_files(principal, pairs)
        chosen = services.material_ids(pairs)
        for code, ids in posted_materials.items():
            chosen.setdefault(code, []).extend(ids)
        typed = text_pairs(pairs) + list(posted_fields.items())
        data = parse_html_form(typed)
        key = control(pairs, "_idempotency_key", 80) or None
        errors: dict = {}
        if upload_errors:
            locale = current_locale.get()
            errors = {
                slot: [gettext(locale, m, **p) for m, p in found]
                for slot, found in upload_errors.items()
            }
        else:
            try:
                case = await services.file_case(
                    principal,
                    membership,
                    applicant=applicant,
                    item=item,
                    data=data,
                    uploads=chosen,
                    idempotency_key=key,
                )
            except ValidationFailed as failed:
                errors = errors_by_path(failed.errors)
            else:
                return Redirect(f"/workbench/cases/{case['id']}/receipt?filed=1")
        kept = await materials.usable(principal, [i for ids in chosen.values() for i in ids])
        uploads: dict[str, list[dict]] = {}
        for row in kept:
            uploads.setdefault(row["material_code"], []).append(row)
        return await self._page(
            principal,
            person,
            applicant,
            membership,
            item,
            values=data,
            errors=errors,
            uploads=uploads,
            status_code=422,
        )
