"""Workbench: the agent's cases by state and light, one case, its receipt."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.cases import queries
from core.cases import services as cases
from core.cases.labels import LIGHT_LABELS, STATE_LABELS
from core.materials import services as materials
from core.tenancy.scope import Principal
from core.web.guards import provide_principal
from core.workbench import services
from core.workbench.common import GUARD
from core.workbench.routes_residents import _home_context


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
        "values": detail["values"],
        "uploads": by_material,
        "events": await queries.timeline(case_id),
        "resident": await _resident_summary(case),
        "unit_names": await queries.unit_names(
            [u for u in (case["filed_unit"], case["accepting_unit"]) if u]
        ),
    }


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
        state: FromQuery[str] = "",
        light: FromQuery[str] = "",
    ) -> Template:
        state = state if state in STATE_LABELS else ""
        light = light if light in services.LIGHTS else ""
        context = {
            "cases": await services.my_cases(principal, state=state, light=light),
            "state": state,
            "light": light,
        }
        if request.htmx and request.htmx.target == "case-list":
            return Template("workbench/partials/case_list.html", context=context)
        context["counts"] = await services.my_counts(principal)
        context["light_labels"] = LIGHT_LABELS
        return Template("workbench/cases.html", context=context)

    @get("/cases/{case_id:int}", name="workbench.case")
    async def case(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template:
        context = await case_page_context(principal, case_id)
        return Template("workbench/case.html", context=context)

    @get("/cases/{case_id:int}/receipt", name="workbench.receipt")
    async def receipt(
        self, principal: NamedDependency[Principal], case_id: FromPath[int], filed: FromQuery[int] = 0
    ) -> Template:
        context = await case_page_context(principal, case_id)
        context["just_filed"] = bool(filed)
        return Template("workbench/receipt.html", context=context)
