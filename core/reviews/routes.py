"""Rating pages (public and tablet) and the bad-review desk.

Public pages need no login: the resident proves who they are with the
tracking code and the second factor (as on the status page) or holds the
signed link from their message. A form with a mistake comes back with the
mistake marked and nothing saved.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from core.cases import access as case_access
from core.cases.lookups import guarded
from core.catalog.versions import item_for_version
from core.errors import ValidationFailed
from core.reports import access as supervision
from core.reports.periods import local_today
from core.reviews import levels, public, rating, rectification
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal

FORM_LIMIT = 4096


def _pairs(form) -> list[tuple[str, str]]:
    return [(str(k)[:32], str(v)[:FORM_LIMIT]) for k, v in form.multi_items()]


def _errors(failed: ValidationFailed) -> dict[str, list]:
    found: dict[str, list] = {}
    for error in failed.errors:
        found.setdefault(error.path, []).append(error)
    return found


async def _rate_context(case: dict, **extra) -> dict:
    item = await item_for_version(case["item_version"])
    return {
        "case": case,
        "item": item,
        "levels": levels,
        "rated": await rating.online_rated(case["id"]),
        "ratable": case["state"] in rating.RATABLE_STATES,
        "values": {},
        "reasons": [],
        "errors": {},
        **extra,
    }


class PublicReviewController(Controller):
    """The applicant rates the service online, without logging in."""

    path = "/reviews"

    @get("/rate", name="reviews.rate_form")
    async def rate_form(
        self, request: Request, code: FromQuery[str] = "", last4: FromQuery[str] = ""
    ) -> Template:
        case = await guarded(request, code[:40], lambda c: public.case_by_code(c, last4[:8]))
        context = await _rate_context(case, code=code[:40], last4=last4[:4], action="/reviews/rate")
        return Template("reviews/rate.html", context=context)

    @post("/rate", name="reviews.rate")
    async def rate(self, request: Request) -> Template:
        pairs = _pairs(await request.form())
        fields = dict(pairs)
        code, last4 = fields.get("code", "")[:40], fields.get("last4", "")[:8]
        case = await guarded(request, code, lambda c: public.case_by_code(c, last4))
        return await _submit(
            case, pairs, "status_page", code=code, last4=last4[:4], action="/reviews/rate"
        )

    @get("/r/{token:str}", name="reviews.link_form")
    async def link_form(self, token: FromPath[str]) -> Template:
        case = await public.case_by_link(token[:128])
        context = await _rate_context(case, action=f"/reviews/r/{token[:128]}")
        return Template("reviews/rate.html", context=context)

    @post("/r/{token:str}", name="reviews.link_rate")
    async def link_rate(self, request: Request, token: FromPath[str]) -> Template:
        case = await public.case_by_link(token[:128])
        pairs = _pairs(await request.form())
        return await _submit(case, pairs, "link", action=f"/reviews/r/{token[:128]}")


async def _submit(case: dict, pairs, channel: str, **extra) -> Template:
    try:
        given = rating.parse_rating(pairs)
        await rating.rate_online(case, given, channel=channel)
    except ValidationFailed as failed:
        context = await _rate_context(
            case,
            values=dict(pairs),
            reasons=[v for k, v in pairs if k == "reasons"],
            errors=_errors(failed),
            **extra,
        )
        return Template("reviews/rate.html", context=context, status_code=422)
    context = await _rate_context(case, thanks=True, bad=given.bad, **extra)
    return Template("reviews/rate.html", context=context)


class VisitReviewController(Controller):
    """The resident rates a visit on the agent's (or the window's) tablet."""

    path = "/reviews/visit"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{case_id:int}", name="reviews.visit_form")
    async def form(
        self,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        done: FromQuery[int] = 0,
    ) -> Template:
        return Template(
            "reviews/visit.html", context=await _visit_context(principal, case_id, done=bool(done))
        )

    @post("/{case_id:int}", name="reviews.visit_rate")
    async def rate(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template | Redirect:
        pairs = _pairs(await request.form())
        seq_text = dict(pairs).get("visit", "")
        try:
            given = rating.parse_rating(pairs)
            seq = int(seq_text) if seq_text.isdigit() else -1
            await rating.rate_visit(principal, case_id, seq, given)
        except ValidationFailed as failed:
            context = await _visit_context(principal, case_id)
            context.update(
                values=dict(pairs),
                reasons=[v for k, v in pairs if k == "reasons"],
                errors=_errors(failed),
            )
            return Template("reviews/visit.html", context=context, status_code=422)
        return Redirect(f"/reviews/visit/{case_id}?done=1")


async def _visit_context(principal: Principal, case_id: int, *, done: bool = False) -> dict:
    case = await case_access.visible_case(principal, case_id)
    mine = {m.unit_id for m in principal.writable_memberships}
    visits = [v for v in await rating.visits_of(case_id) if v.unit_id in mine]
    return {
        "case": case,
        "item": await item_for_version(case["item_version"]),
        "visits": visits,
        "open_visits": [v for v in visits if not v.rated],
        "levels": levels,
        "values": {},
        "reasons": [],
        "errors": {},
        "done": done,
    }


class RectificationController(Controller):
    """Bad reviews: the unit calls back, rectifies or explains, or appeals; a supervisor decides."""

    path = "/reviews/rectifications"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="reviews.rectifications")
    async def index(
        self,
        principal: NamedDependency[Principal],
        unit: FromQuery[str] = "",
        wanted: Annotated[str, QueryParameter(name="state")] = "",
    ) -> Template:
        state = wanted if wanted in levels.RECTIFICATION_STATES else ""
        row = (
            await supervision.unit_by_code(principal, unit)
            if supervision.may_supervise(principal)
            else None
        )
        rows = await rectification.rectifications(
            principal, within=row["path"] if row else None, state=state
        )
        return Template(
            "reviews/rectifications.html",
            context={
                "rows": rows,
                "unit": row,
                "state": state,
                "levels": levels,
                "today": local_today(),
                "summary": await rectification.summary(row["path"], local_today()) if row else None,
            },
        )

    @get("/{rect_id:int}", name="reviews.rectification")
    async def detail(
        self,
        principal: NamedDependency[Principal],
        rect_id: FromPath[int],
        done: FromQuery[str] = "",
    ) -> Template:
        rect = await rectification.rectification(principal, rect_id)
        return Template(
            "reviews/rectification.html",
            context={
                "rect": rect,
                **await rectification.details(rect_id),
                "levels": levels,
                "today": local_today(),
                "works_on": rectification.works_on(principal, rect),
                "may_appeal": any(
                    m.unit_id == rect["unit"] for m in principal.writable_memberships
                ),
                "decides": rectification.decides_appeal(principal, rect),
                "done": done[:16],
            },
        )

    @post("/{rect_id:int}/callback", name="reviews.callback")
    async def callback(
        self, request: Request, principal: NamedDependency[Principal], rect_id: FromPath[int]
    ) -> Redirect:
        form = dict(_pairs(await request.form()))
        reached = form.get("reached") == "yes"
        satisfied = {"yes": True, "no": False}.get(form.get("satisfied", ""))
        await rectification.record_callback(
            principal,
            rect_id,
            reached=reached,
            satisfied=satisfied,
            summary=form.get("summary", ""),
        )
        return Redirect(f"/reviews/rectifications/{rect_id}?done=callback")

    @post("/{rect_id:int}/resolve", name="reviews.resolve")
    async def resolve(
        self, request: Request, principal: NamedDependency[Principal], rect_id: FromPath[int]
    ) -> Redirect:
        form = dict(_pairs(await request.form()))
        await rectification.resolve(
            principal, rect_id, form.get("outcome", ""), form.get("text", "")
        )
        return Redirect(f"/reviews/rectifications/{rect_id}?done=resolved")

    @post("/{rect_id:int}/appeal", name="reviews.appeal")
    async def appeal(
        self, request: Request, principal: NamedDependency[Principal], rect_id: FromPath[int]
    ) -> Redirect:
        form = dict(_pairs(await request.form()))
        await rectification.appeal(principal, rect_id, form.get("reason", ""))
        return Redirect(f"/reviews/rectifications/{rect_id}?done=appealed")

    @post("/{rect_id:int}/decide", name="reviews.decide")
    async def decide(
        self, request: Request, principal: NamedDependency[Principal], rect_id: FromPath[int]
    ) -> Redirect:
        form = dict(_pairs(await request.form()))
        await rectification.decide_appeal(
            principal,
            rect_id,
            overturn=form.get("decision") == "overturn",
            note=form.get("note", ""),
        )
        return Redirect(f"/reviews/rectifications/{rect_id}?done=decided")
