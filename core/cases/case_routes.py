"""Pages for handling cases: a case with the actions it offers, the desk queue."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.cases import issuing, notifications, queries, services
from core.cases.errors import error_text
from core.cases.forms_io import action_params
from core.cases.offers import offers_for
from core.cases.supplement import outstanding
from core.errors import CaseNotFound, TongbanError
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal
from core.web.locale import current_locale


async def _detail_context(principal: Principal, case: dict) -> dict:
    detail = await services.case_detail(case)
    item = detail["item"]
    return {
        "case": case,
        "item": item,
        "values": detail["values"],
        "place_names": await queries.place_names(detail["values"]),
        "events": await queries.timeline(case["id"]),
        "tasks": await queries.tasks_of(case["id"]),
        "offers": await offers_for(principal, case, item),
        "awaiting": await issuing.held(case),
        "outstanding": await outstanding(case["id"])
        if case["state"] in ("supplement_requested", "review_supplement")
        else [],
    }


class CaseController(Controller):
    """A case as staff see it, and the actions it offers them."""

    path = "/cases"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="cases.mine")
    async def mine(self, principal: NamedDependency[Principal]) -> Template:
        cases = await queries.cases_filed_by(principal)
        return Template("cases/mine.html", context={"cases": cases})

    @get("/{case_id:int}", name="cases.detail")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        filed: FromQuery[int] = 0,
    ) -> Template:
        case = await services.visible_case(principal, case_id)
        context = await _detail_context(principal, case)
        return Template("cases/detail.html", context=context | {"just_filed": bool(filed)})

    @post("/{case_id:int}/act", name="cases.act")
    async def act(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template | Redirect:
        action, params = action_params((await request.form()).multi_items())
        try:
            await services.act(principal, case_id, action, **params)
        except CaseNotFound:
            raise
        except TongbanError as exc:
            # Refused: show the case again with the reason, nothing changed.
            case = await services.visible_case(principal, case_id)
            context = await _detail_context(principal, case)
            message = error_text(exc, current_locale.get())
            return Template(
                "cases/detail.html",
                context=context | {"error": message, "just_filed": False},
                status_code=exc.status_code,
            )
        return Redirect(f"/cases/{case_id}")


class DeskController(Controller):
    """What waits for the principal: tasks by light and due date, escalations, messages."""

    path = "/desk"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="desk")
    async def desk(self, principal: NamedDependency[Principal]) -> Template:
        return Template(
            "cases/desk.html",
            context={
                "tasks": await queries.queue(principal),
                "escalations": await queries.escalations_for(principal),
                "messages": await notifications.inbox(principal.staff_id, limit=10),
            },
        )
