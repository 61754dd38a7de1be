"""Workbench: find a resident, register one, record their authorisation, pick an item."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.catalog import guide
from core.catalog.forms import FieldError
from core.errors import ValidationFailed
from core.i18n import N_, gettext
from core.residents import services as residents
from core.tenancy.scope import Principal
from core.web.guards import provide_principal
from core.web.locale import current_locale
from core.workbench import services
from core.workbench.common import (
    GUARD,
    control,
    errors_by_path,
    is_proven,
    remember_proven,
    text_pairs,
)

SEARCH_MODES = ("id", "name", "phone")
RECENT_CASES = 10  # the resident's page shows these; the case list has them all
SIGNATURE_MAX = 700_000  # a data: URL of a tablet signature is well below this


async def pending_consents(principal: Principal, applicant: dict) -> list[dict]:
    """This agent's unused, unexpired authorisations from this resident (``applicant``:
    the resident's applicant section, :func:`core.residents.services.for_filing`)."""
    from core.signing import authorisations
    from core.signing.tables import Authorisation

    if not principal.has_role(*authorisations.AGENT_ROLES):
        return []
    return await (
        Authorisation.select(*authorisations.SUMMARY)
        .where(
            (Authorisation.agent == principal.staff_id)
            & (Authorisation.resident_hash == authorisations.resident_hash(applicant["id_number"]))
            & Authorisation.case.is_null()
            & (Authorisation.expires_at > dt.datetime.now(dt.UTC))
        )
        .order_by(Authorisation.id, ascending=False)
        .limit(5)
    )


class ResidentDeskController(Controller):
    path = "/workbench/residents"
    guards = [GUARD]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/search", name="workbench.search")
    async def search(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        """Searching is a read, but it is POSTed: an ID number must never sit in a URL or a log."""
        pairs = list((await request.form()).multi_items())
        by = control(pairs, "by", 8)
        query = dict(text_pairs(pairs))
        matches, errors = None, {}
        if by not in SEARCH_MODES:
            errors = {"by": [FieldError(path="by", message=N_("Choose how to search"))]}
        else:
            try:
                matches = await residents.search(principal, by, query)
            except ValidationFailed as failed:
                errors = errors_by_path(failed.errors)
        if by == "id" and matches:
            for match in matches:
                remember_proven(request, match.id)
        template = (
            "workbench/partials/search_results.html" if request.htmx else "workbench/home.html"
        )
        context = {"by": by, "query": query, "matches": matches, "errors": errors}
        if not request.htmx:
            context.update(await _home_context(principal))
        return Template(template, context=context, status_code=200 if not errors else 422)

    @get("/new", name="workbench.register_form")
    async def register_form(self) -> Template:
        return Template(
            "workbench/register.html",
            context={"values": {}, "errors": {}, "form": residents.REGISTRATION_FORM},
        )

    @post("/new/check", name="workbench.register_check")
    async def register_check(self, request: Request) -> Template:
        pairs = list((await request.form()).multi_items())
        field = control(pairs, "_field", 64)
        errors = residents.check_registration(dict(text_pairs(pairs)), only=field)
        return Template(
            "cases/partials/field_errors.html", context={"errors": errors, "field": field}
        )

    @post("/new", name="workbench.register")
    async def register(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        values = dict(text_pairs(list((await request.form()).multi_items())))
        try:
            resident_id = await residents.register(principal, values)
        except ValidationFailed as failed:
            return Template(
                "workbench/register.html",
                context={
                    "values": values,
                    "errors": errors_by_path(failed.errors),
                    "form": residents.REGISTRATION_FORM,
                },
                status_code=422,
            )
        except residents.AlreadyRegistered as known:
            remember_proven(request, known.resident_id)
            return Redirect(f"/workbench/residents/{known.resident_id}?known=1")
        remember_proven(request, resident_id)
        return Redirect(f"/workbench/residents/{resident_id}?registered=1")

    @get("/{resident_id:int}", name="workbench.resident")
    async def resident(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        resident_id: FromPath[int],
        q: FromQuery[str] = "",
        registered: FromQuery[int] = 0,
        known: FromQuery[int] = 0,
        consented: FromQuery[int] = 0,
    ) -> Template:
        proven = is_proven(request, resident_id)
        person, applicant = await residents.for_filing(principal, resident_id, proven=proven)
        membership = services.filing_membership(principal)
        # The guide's search: name, pinyin initials (cxjm), full pinyin, English, keywords.
        items = guide.search(await services.items_for(membership), q[:64])
        context = {"person": person, "items": items, "q": q[:64], "membership": membership}
        if request.htmx and request.htmx.target == "item-list":
            return Template("workbench/partials/item_list.html", context=context)
        # The agent comes back here after each consent, on a slow line: the latest few
        # cases only, and a link to all of them in the case list.
        recent = await services.my_cases(principal, resident_id=resident_id, limit=RECENT_CASES + 1)
        context.update(
            consents=await pending_consents(principal, applicant),
            cases=recent[:RECENT_CASES],
            more_cases=len(recent) > RECENT_CASES,
            may_reveal={f: residents.may_reveal(principal, f) for f in residents.FIELDS},
            notice=(
                N_("The resident is registered.")
                if registered
                else N_("This ID number is already registered: here is the resident.")
                if known
                else N_("The authorisation is recorded.")
                if consented
                else ""
            ),
        )
        return Template("workbench/resident.html", context=context)

    @get("/{resident_id:int}/consent", name="workbench.consent_form")
    async def consent_form(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        resident_id: FromPath[int],
        item: FromQuery[str] = "",
    ) -> Template:
        person = await residents.visible(
            principal, resident_id, proven=is_proven(request, resident_id)
        )
        return Template(
            "workbench/consent.html", context={"person": person, "item": item[:32], "error": None}
        )

    @post(
        "/{resident_id:int}/consent",
        name="workbench.consent",
        request_max_body_size=6 * 1024 * 1024,
    )
    async def consent(
        self, request: Request, principal: NamedDependency[Principal], resident_id: FromPath[int]
    ) -> Template | Redirect:
        from core.signing import authorisations

        proven = is_proven(request, resident_id)
        # Checks that the resident is visible (ResidentNotFound otherwise), as the page does.
        applicant = await residents.applicant_for_filing(principal, resident_id, proven=proven)
        form = await request.form()
        pairs = list(form.multi_items())
        method = control(pairs, "method", 8)
        item = control(pairs, "item", 32)
        evidence = b""
        try:
            if method == "tablet":
                signature = control(pairs, "signature", SIGNATURE_MAX)
                if not signature:
                    # Nothing drawn on the pad: say so, not "the signature is not a PNG".
                    raise authorisations.BadAuthorisation(
                        N_(
                            "%(name)s has not signed yet. Ask them to sign in the box "
                            "with a finger or stylus."
                        ),
                        name=applicant["name"],
                    )
                evidence = authorisations.decode_data_url(signature)
            elif method == "paper":
                scan = next(
                    (v for k, v in pairs if k == "scan" and isinstance(v, UploadFile)), None
                )
                if scan is not None:
                    evidence = await scan.read(authorisations.MAX_BYTES + 1)
            await authorisations.record(
                principal,
                name=applicant["name"],
                id_number=applicant["id_number"],
                method=method,
                evidence=evidence,
                item_code=item,
            )
        except authorisations.BadAuthorisation as bad:
            message = gettext(current_locale.get(), bad.message, **bad.params)
            person = await residents.visible(principal, resident_id, proven=proven)
            return Template(
                "workbench/consent.html",
                context={"person": person, "item": item, "error": message, "method": method},
                status_code=422,
            )
        if item:
            return Redirect(f"/workbench/residents/{resident_id}/file/{item}")
        return Redirect(f"/workbench/residents/{resident_id}?consented=1")


async def _home_context(principal: Principal) -> dict:
    return {
        "counts": await services.my_counts(principal),
        "hand_back": await services.to_hand_back(principal),
        "recent": (await services.my_cases(principal))[:10],
        "messages": await services.inbox(principal),
    }
