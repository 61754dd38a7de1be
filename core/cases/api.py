"""The JSON API for cases and bundles under /api/v1 (documented at /api/docs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from core.cases import bundles, issuing, queries, services
from core.cases.lookups import guarded
from core.cases.offers import offers_for
from core.cases.queries import timeline
from core.cases.status import BundleStatus, PublicStatus, public_status
from core.errors import InvalidTrackingCodeError
from core.i18n import gettext
from core.tenancy.scope import Principal
from core.web.errors import API_ERROR_RESPONSES, API_THROTTLED_RESPONSES, tongban_error
from core.web.guards import login_required, provide_principal
from core.web.locale import current_locale


class FileCase(msgspec.Struct):
    unit_id: int
    item_code: str
    applicant: dict[str, Any]
    data: dict[str, Any]
    idempotency_key: str | None = None
    # Ids of the filer's uploads of the item's materials (the form's file fields travel in data).
    uploads: list[str] = []


class FileBundle(msgspec.Struct):
    unit_id: int
    bundle_code: str
    applicant: dict[str, Any]
    data: dict[str, dict[str, Any]]  # item code -> that item's form values
    materials: list[str] = []  # shared materials handed in
    idempotency_key: str | None = None


class SupplementMaterial(msgspec.Struct):
    code: str
    problem: str = "missing"  # missing | defective
    note: str = ""


class CaseAction(msgspec.Struct):
    """An action on a case; each action reads the fields it needs."""

    action: str
    reason: str = ""
    opinion: str = ""
    task_id: int | None = None
    materials: list[SupplementMaterial | str] = []  # request_supplement: objects; supply: codes
    justification: str = ""  # a second request for the same material
    to_step: str = ""  # return
    to_unit: str = ""  # transfer (unit code)
    to_staff: int | None = None  # delegate, reassign, add_signer, remove_signer
    method: str = ""  # deliver: window | post | electronic
    reference: str = ""  # deliver: e.g. the waybill number
    procedure: str = ""  # suspend: hearing, expert_review …


class CaseCreated(msgspec.Struct):
    id: int
    tracking_code: str


class BundleCreated(msgspec.Struct):
    id: int
    tracking_code: str
    cases: list[dict[str, Any]]


class TaskOut(msgspec.Struct):
    id: int
    step: str
    state: str
    unit: str | None
    assignee: str | None
    due_on: date | None
    light: str


class CaseOut(msgspec.Struct):
    id: int
    tracking_code: str | None
    item_code: str
    state: str
    outcome: str
    due_on: date | None
    light: str
    events: list[dict[str, Any]]
    tasks: list[TaskOut] = []
    awaiting: dict[str, Any] | None = None  # what an approved case's result waits for


class OfferOut(msgspec.Struct):
    action: str
    task_id: int | None
    step: str | None
    choice: str
    choices: list[str]
    reason_required: bool


class StepOut(msgspec.Struct):
    kind: str
    state: str
    at: datetime
    unit: str | None


class MaterialOut(msgspec.Struct):
    name: str
    problem: str
    note: str


class StatusOut(msgspec.Struct):
    tracking_code: str
    item_name: str
    state: str
    outcome: str
    light: str
    due_on: date | None
    next_step: str
    reason: str
    steps: list[StepOut]
    materials: list[MaterialOut] = []
    bundle: str = ""
    awaiting: str = ""  # "payment": pay amount_due under payment_code, then it is issued
    amount_due: str = ""
    payment_code: str = ""
    pay_by: date | None = None  # the last day to pay, when the result waits for the payment


class BundleStatusOut(msgspec.Struct):
    tracking_code: str
    name: str
    progress: str
    next_step: str
    cases: list[StatusOut]


class CasesApi(Controller):
    path = "/api/v1/cases"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["cases"]

    @post("/", status_code=201, responses=API_ERROR_RESPONSES)
    async def file_case(
        self, principal: NamedDependency[Principal], data: JSONBody[FileCase]
    ) -> CaseCreated:
        """File a case for a resident at one of the caller's units."""
        created = await services.submit(
            principal,
            unit_id=data.unit_id,
            item_code=data.item_code,
            applicant=data.applicant,
            data=data.data,
            idempotency_key=(data.idempotency_key or None) and data.idempotency_key[:80],
            uploads=[u[:64] for u in data.uploads[:60] if isinstance(u, str)],
        )
        return CaseCreated(**created)

    @get("/{case_id:int}", responses=API_ERROR_RESPONSES)
    async def get_case(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> CaseOut:
        """A case the caller may see, with its events and tasks."""
        case = await services.visible_case(principal, case_id)
        return await _case_out(case)

    @get("/{case_id:int}/actions", responses=API_ERROR_RESPONSES)
    async def offered(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> list[OfferOut]:
        """What the caller may do to the case now, with the choices each action takes."""
        case = await services.visible_case(principal, case_id)
        item = (await services.case_detail(case))["item"]
        return [
            OfferOut(
                action=o.action,
                task_id=o.task_id,
                step=o.step.id if o.step else None,
                choice=o.field,
                choices=[value for value, _, _ in o.choices],
                reason_required=o.needs_reason,
            )
            for o in await offers_for(principal, case, item)
        ]

    @post("/{case_id:int}/actions", status_code=200, responses=API_ERROR_RESPONSES)
    async def act(
        self,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        data: JSONBody[CaseAction],
    ) -> CaseOut:
        """Take an action on the case: accept, refuse, request_supplement, supply, pass,
        approve, deny, issue, deliver, close, withdraw, suspend, resume, return, claim,
        release, delegate, transfer, reassign, add_signer, remove_signer."""
        materials = tuple(
            m if isinstance(m, str) else msgspec.structs.asdict(m) for m in data.materials[:50]
        )
        case = await services.act(
            principal,
            case_id,
            data.action[:32],
            task_id=data.task_id,
            reason=data.reason[:2000],
            opinion=data.opinion[:2000],
            materials=materials,
            justification=data.justification[:500],
            to_step=data.to_step[:64],
            to_unit=data.to_unit[:32],
            to_staff=data.to_staff,
            method=data.method[:16],
            reference=data.reference[:64],
            procedure=data.procedure[:64],
        )
        return await _case_out(case)


class BundlesApi(Controller):
    path = "/api/v1/bundles"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["cases"]

    @post("/", status_code=201, responses=API_ERROR_RESPONSES)
    async def file_bundle(
        self, principal: NamedDependency[Principal], data: JSONBody[FileBundle]
    ) -> BundleCreated:
        """File a bundle (一件事): one application, one case per item, one combined code."""
        created = await bundles.submit_bundle(
            principal,
            unit_id=data.unit_id,
            bundle_code=data.bundle_code[:32],
            applicant=data.applicant,
            data=data.data,
            materials=[m[:40] for m in data.materials[:50]],
            idempotency_key=(data.idempotency_key or None) and data.idempotency_key[:80],
        )
        return BundleCreated(
            id=created["id"],
            tracking_code=created["tracking_code"],
            cases=[
                {"id": c["id"], "tracking_code": c["tracking_code"], "item_code": c["item_code"]}
                for c in created["cases"]
            ],
        )


async def _case_out(case: dict) -> CaseOut:
    events = await timeline(case["id"])
    tasks = await queries.tasks_of(case["id"])
    hold = await issuing.held(case)
    return CaseOut(
        id=case["id"],
        tracking_code=case["tracking_code"],
        item_code=case["item_code"],
        state=case["state"],
        outcome=case["outcome"],
        due_on=case["due_on"],
        light=case["light"],
        events=[
            {
                "seq": e["seq"],
                "kind": e["kind"],
                "from_state": e["from_state"],
                "to_state": e["to_state"],
                "actor": e["actor_name"],
                "unit": e["unit.name"],
                "at": e["at"].isoformat() if hasattr(e["at"], "isoformat") else str(e["at"]),
                "reason": e["reason"],
                "payload": e["payload"],
            }
            for e in events
        ],
        tasks=[
            TaskOut(
                id=t["id"],
                step=t["step_id"],
                state=t["state"],
                unit=t["unit.name"],
                assignee=t["assignee.display_name"],
                due_on=t["due_on"],
                light=t["light"],
            )
            for t in tasks
        ],
        awaiting={k: v for k, v in hold.items() if k != "unit"} if hold else None,
    )


def _status_out(found: PublicStatus) -> StatusOut:
    return StatusOut(
        tracking_code=found.tracking_code,
        item_name=found.item_name,
        state=found.state,
        outcome=found.outcome,
        light=found.light,
        due_on=found.due_on,
        next_step=gettext(current_locale.get(), found.next_step, **found.next_step_params),
        reason=found.reason,
        steps=[
            StepOut(kind=s["kind"], state=s["state"], at=s["at"], unit=s["unit"])
            for s in found.steps
        ],
        materials=[
            MaterialOut(name=m["name"], problem=m["problem"], note=m["note"])
            for m in found.materials
        ],
        bundle=found.bundle_code,
        awaiting=found.awaiting,
        amount_due=found.amount_due,
        payment_code=found.payment_code,
        pay_by=date.fromisoformat(found.pay_by) if found.pay_by else None,
    )


def invalid_tracking_code(request: Request, exc: InvalidTrackingCodeError) -> Response:
    """400 with the usual ``message`` in the caller's language and ``code``
    ``invalid_tracking_code`` (as every API error has its code, core.web.errors), plus
    ``reason`` (``wrong_length``, ``not_digits``, ``bad_check``, ``impossible_date``), so
    a client need not parse the words."""
    answer = tongban_error(request, exc)
    body = dict(answer.content) if isinstance(answer.content, dict) else {}
    return Response(
        {**body, "reason": exc.reason},
        status_code=answer.status_code,
        media_type=MediaType.JSON,
    )


class StatusApi(Controller):
    path = "/api/v1/status"
    tags = ["public"]
    exception_handlers = {InvalidTrackingCodeError: invalid_tracking_code}

    @get("/{code:str}", responses=API_THROTTLED_RESPONSES)
    async def status(
        self, request: Request, code: FromPath[str], last4: FromQuery[str]
    ) -> StatusOut | BundleStatusOut:
        """Public: a case's (or a bundle's) status by tracking code and the last 4 of the
        applicant's ID or phone."""
        found = await guarded(request, code[:40], lambda c: public_status(c, last4[:8]))
        if isinstance(found, BundleStatus):
            return BundleStatusOut(
                tracking_code=found.tracking_code,
                name=found.name,
                progress=found.progress,
                next_step=gettext(current_locale.get(), found.next_step),
                cases=[_status_out(c) for c in found.cases],
            )
        return _status_out(found)
