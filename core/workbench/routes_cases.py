"""Workbench: the agent's cases by state and light, one case, its receipt."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from core.cases import queries
from core.cases import services as cases
from core.cases.access import speaks_for_applicant
from core.cases.errors import error_text
from core.cases.labels import LIGHT_LABELS, PROBLEM_LABELS, STATE_LABELS
from core.cases.queries import parse_before
from core.errors import PermissionDenied, TongbanError, ValidationFailed
from core.i18n import N_, gettext
from core.materials import services as materials
from core.materials.routes import store_posted_files
from core.residents import services as residents
from core.tenancy.scope import Principal
from core.web.guards import provide_principal
from core.web.locale import current_locale
from core.web.templating import localized
from core.workbench import services
from core.workbench.common import GUARD, control, is_proven
from core.workbench.routes_filing import MAX_FORM_BODY
from core.workbench.routes_residents import _home_context

DONE_NOTICES = {
    "supplied": N_("The supplement is handed in; the window has been told."),
    "handed": N_("Recorded: the result has been handed to the resident."),
}


async def _window_results_page(
    principal: Principal, *, handed: str = "", error: str = "", status_code: int = 200
) -> Template:
    if not principal.has_role(services.WINDOW_ROLE):
        raise PermissionDenied()
    return Template(
        "workbench/window_results.html",
        context={
            "results": await services.window_results(principal),
            "handed": handed,
            "error": error,
        },
        status_code=status_code,
    )


async def case_page_context(principal: Principal, case_id: int) -> dict:
    """Everything the agent's case page and its receipt show; CaseNotFound if not visible."""
    case = await cases.visible_case(principal, case_id)
    detail = await cases.case_detail(case)
    uploads = await materials.for_case(case_id)
    item = detail["item"]
    by_material: dict[str, list[dict]] = {}
    for row in uploads:
        by_material.setdefault(row["material_code"], []).append(row)
    return {
        "case": case,
        "item": item,
        "outstanding": await services.outstanding(case),
        "may_speak": speaks_for_applicant(principal, case),
        "documents": await _documents(case_id),
        "kind_names": _document_kinds(),
        "new_uploads": {},
        "labels_problem": PROBLEM_LABELS,
        "supply_errors": {},
        "notice": "",
        "values": detail["values"],
        "place_names": await queries.place_names(detail["values"]),
        "uploads": by_material,
        "events": await queries.timeline(case_id),
        "resident": await _resident_summary(case),
        "unit_names": await queries.unit_names(
            [u for u in (case["filed_unit"], case["accepting_unit"]) if u]
        ),
    }


async def _documents(case_id: int) -> list[dict]:
    """Signed documents of the case (receipt, notices, decision, licence), newest last."""
    from core.signing.documents import documents_of_case

    return await documents_of_case(case_id)


def _document_kinds() -> dict[str, str]:
    """What each kind of signed document is called (msgids), for readers of other languages."""
    from core.signing.documents import KIND_NAMES

    return KIND_NAMES


async def _resident_summary(case: dict) -> dict | None:
    from core.residents import crypto
    from core.residents.tables import Resident

    if not case.get("resident"):
        return None
    row = await Resident.select().where(Resident.id == case["resident"]).first()
    if row is None:
        return None
    phone = crypto.decrypt(row["phone_enc"])
    return {
        "id": row["id"],
        "name": row["name"],
        "id_number_masked": crypto.mask_id_number(crypto.decrypt(row["id_number_enc"])),
        "phone_masked": crypto.mask_phone(phone) if phone else "",
    }


def _list_url(chosen: dict, **extra) -> str:
    """The case list's URL with its filters (only those set) and ``extra``."""
    query = {k: v for k, v in {**chosen, **extra}.items() if v not in ("", None)}
    return "/workbench/cases" + (f"?{urlencode(query)}" if query else "")


class WorkbenchController(Controller):
    path = "/workbench"
    guards = [GUARD]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="workbench")
    async def home(self, principal: NamedDependency[Principal]) -> Template:
        context = {"by": "id", "query": {}, "matches": None, "errors": {}}
        context.update(await _home_context(principal))
        return Template("workbench/home.html", context=context)

    @get("/cases", name="workbench.cases")
    async def case_list(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        case_state: Annotated[str, QueryParameter(name="state")] = "",
        light: FromQuery[str] = "",
        resident: FromQuery[int | None] = None,
        before: FromQuery[str] = "",
    ) -> Template:
        """The agent's cases, 50 newest a page; "older" loads the next (htmx appends
        its rows, a plain link opens it), filters kept."""
        state = case_state if case_state in STATE_LABELS else ""
        light = light if light in services.LIGHTS else ""
        person = None
        if resident is not None:
            # One resident's cases (the link on their page): only a resident this
            # person may see, refused alike when missing or out of scope.
            person = await residents.visible(
                principal, resident, proven=is_proven(request, resident)
            )
        chosen = {"state": state, "light": light, "resident": resident}
        rows, more = await services.my_case_page(
            principal,
            state=state,
            light=light,
            resident_id=resident,
            before=parse_before(before),
        )
        context = {
            "cases": rows,
            "more": more,
            "newest_url": _list_url(chosen),
            "older_url": _list_url(chosen, before=rows[-1]["id"]) if more else "",
            "paged": bool(parse_before(before)),
            "state": state,
            "light": light,
            "person": person,
        }
        target = request.htmx.target if request.htmx else None
        if target == "case-more":  # "older": the next page's rows, appended
            return Template(
                "workbench/partials/case_table.html", context=context | {"rows_only": True}
            )
        if target == "case-list":
            return Template("workbench/partials/case_list.html", context=context)
        context["counts"] = await services.my_counts(principal, resident_id=resident)
        context["light_labels"] = LIGHT_LABELS
        return Template("workbench/cases.html", context=context)

    @get("/cases/{case_id:int}", name="workbench.case")
    async def case(
        self,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        done: FromQuery[str] = "",
    ) -> Template:
        context = await case_page_context(principal, case_id)
        context["notice"] = DONE_NOTICES.get(done, "")
        return Template("workbench/case.html", context=context)

    @post(
        "/cases/{case_id:int}/supply",
        name="workbench.supply",
        request_max_body_size=MAX_FORM_BODY,
    )
    async def supply(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template | Redirect:
        """Hand in the materials a supplement notice asked for."""
        case = await cases.visible_case(principal, case_id)
        pairs = list((await request.form()).multi_items())
        posted, _, upload_errors = await store_posted_files(principal, pairs)
        chosen = services.material_ids(pairs)
        for code, ids in posted.items():
            chosen.setdefault(code, []).extend(ids)
        locale = current_locale.get()
        errors: dict[str, list[str]] = {
            slot: [gettext(locale, m, **p) for m, p in found]
            for slot, found in upload_errors.items()
        }
        if not errors:
            try:
                await services.supply(principal, case, chosen, control(pairs, "note", 500))
            except ValidationFailed as failed:
                for e in failed.errors:
                    errors.setdefault(e.path, []).append(
                        gettext(locale, e.message, **(e.params or {}))
                    )
            else:
                return Redirect(f"/workbench/cases/{case_id}?done=supplied")
        context = await case_page_context(principal, case_id)
        kept = await materials.usable(principal, [i for ids in chosen.values() for i in ids])
        for row in kept:
            context["new_uploads"].setdefault(row["material_code"], []).append(row)
        context["supply_errors"] = errors
        return Template("workbench/case.html", context=context, status_code=422)

    @post("/cases/{case_id:int}/hand-back", name="workbench.hand_back")
    async def hand_back(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Redirect:
        form = await request.form()
        await services.hand_back(principal, case_id, str(form.get("method") or "")[:16])
        return Redirect(f"/workbench/cases/{case_id}?done=handed")

    @get("/window-results", name="workbench.window_results")
    async def window_results(self, principal: NamedDependency[Principal]) -> Template:
        """The window clerk's tray: results ready to hand out here."""
        return await _window_results_page(principal)

    @post("/window-results/{case_id:int}/hand-out", name="workbench.hand_out")
    async def hand_out(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template:
        """The resident collected the result at the window."""
        try:
            case = await services.hand_back(principal, case_id, "window")
        except TongbanError as exc:
            return await _window_results_page(
                principal, error=error_text(exc, current_locale.get()), status_code=exc.status_code
            )
        return await _window_results_page(principal, handed=case["tracking_code"] or "")

    @post("/cases/{case_id:int}/send", name="workbench.send_receipt")
    async def send(self, principal: NamedDependency[Principal], case_id: FromPath[int]) -> Redirect:
        """Send the filing receipt to the applicant's phone (once)."""
        context = await case_page_context(principal, case_id)
        unit = context["unit_names"].get(context["case"]["filed_unit"], {})
        sent = await services.send_receipt(
            principal, context["case"], context["item"], localized(unit)
        )
        return Redirect(f"/workbench/cases/{case_id}/receipt?sent={'1' if sent else 'again'}")

    @get("/cases/{case_id:int}/receipt", name="workbench.receipt")
    async def receipt(
        self,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        filed: FromQuery[int] = 0,
        sent: FromQuery[str] = "",
    ) -> Template:
        context = await case_page_context(principal, case_id)
        context["just_filed"] = bool(filed)
        context["sent"] = sent[:8]
        context["receipt_sent"] = await services.receipt_sent(case_id)
        return Template("workbench/receipt.html", context=context)
