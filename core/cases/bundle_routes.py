"""Pages for filing a bundle (一件事): one form, several cases."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.cases import bundles, services
from core.cases.applicant import APPLICANT_FORM
from core.cases.errors import BundleNotAvailable
from core.cases.forms_io import split_bundle
from core.catalog.routability import check_routable
from core.errors import PermissionDenied, ValidationFailed
from core.i18n import N_
from core.tenancy.scope import Principal
from core.web.guards import provide_principal, require_roles


def _membership(principal: Principal):
    memberships = principal.memberships_with(*services.FILING_ROLES)
    if not memberships:
        raise PermissionDenied()
    return memberships[0]


def _unit(membership) -> dict:
    return {
        "code": membership.unit_code,
        "path": membership.unit_path,
        "level": membership.level,
        "name": membership.unit_name,
    }


async def _available(code: str, membership) -> bundles.Bundle:
    declaration = bundles.bundle(code)
    proxy = membership.role == "village_agent"
    if declaration is None:
        raise BundleNotAvailable(unit=membership.unit_name, reason=N_("no such bundle"))
    items = bundles.items_of(declaration)
    for item in items:
        await services.check_item_available(item, _unit(membership), proxy=proxy)
    for item in items:  # told before the form is filled in, not after (and on filing)
        await check_routable(item, _unit(membership))
    return declaration


class BundleFilingController(Controller):
    """A village agent (or window clerk) files a bundle for a resident."""

    path = "/bundles"
    guards = [require_roles(*services.FILING_ROLES)]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="bundles.list")
    async def index(self, principal: NamedDependency[Principal]) -> Template:
        membership = _membership(principal)
        available = await bundles.available_bundles(
            _unit(membership), proxy=membership.role == "village_agent"
        )
        return Template(
            "cases/bundles.html", context={"bundles": available, "membership": membership}
        )

    @get("/{code:str}", name="bundles.form")
    async def form(self, principal: NamedDependency[Principal], code: FromPath[str]) -> Template:
        membership = _membership(principal)
        declaration = await _available(code[:32], membership)
        return Template("cases/bundle_file.html", context=_context(declaration, membership))

    @post("/{code:str}", name="bundles.submit")
    async def submit(
        self, request: Request, principal: NamedDependency[Principal], code: FromPath[str]
    ) -> Template | Redirect:
        membership = _membership(principal)
        declaration = await _available(code[:32], membership)
        pairs = list((await request.form()).multi_items())  # read twice below
        applicant, sections, materials = split_bundle(pairs, list(declaration.items))
        key = next((v for k, v in pairs if k == "_idempotency_key"), None) or None
        try:
            filed = await bundles.submit_bundle(
                principal,
                unit_id=membership.unit_id,
                bundle_code=declaration.code,
                applicant=applicant,
                data=sections,
                materials=materials,
                idempotency_key=key[:80] if key else None,
            )
        except ValidationFailed as failed:
            errors: dict[str, list] = {}
            for error in failed.errors:
                errors.setdefault(error.path, []).append(error)
            context = _context(declaration, membership)
            context.update(applicant=applicant, sections=sections, errors=errors, chosen=materials)
            return Template("cases/bundle_file.html", context=context, status_code=422)
        return Redirect(f"/bundles/filed/{filed['id']}")

    @get("/filed/{bundle_id:int}", name="bundles.filed")
    async def filed(
        self, principal: NamedDependency[Principal], bundle_id: FromPath[int]
    ) -> Template:
        """The bundle just filed: its code for the resident, and links to each case."""
        row, cases = await bundles.filed_bundle(principal, bundle_id)
        return Template(
            "cases/bundle_filed.html",
            context={
                "bundle": row,
                "cases": cases,
                "declaration": bundles.bundle(row["bundle_code"]),
            },
        )


def _context(declaration, membership) -> dict:
    return {
        "bundle": declaration,
        "items": bundles.items_of(declaration),
        "shared": bundles.shared_material_choices(declaration),
        "applicant_form": APPLICANT_FORM,
        "applicant": {},
        "sections": {},
        "errors": {},
        "chosen": [],
        "membership": membership,
    }
