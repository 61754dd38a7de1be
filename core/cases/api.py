"""The JSON API for cases under /api/v1 (documented at /api/docs)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from core.cases import services
from core.cases.queries import timeline
from core.cases.status import public_status
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal


class FileCase(msgspec.Struct):
    unit_id: int
    item_code: str
    applicant: dict[str, Any]
    data: dict[str, Any]
    idempotency_key: str | None = None


class CaseAction(msgspec.Struct):
    action: str
    reason: str = ""
    opinion: str = ""


class CaseCreated(msgspec.Struct):
    id: int
    tracking_code: str


class CaseOut(msgspec.Struct):
    id: int
    tracking_code: str | None
    item_code: str
    state: str
    outcome: str
    due_on: date | None
    events: list[dict[str, Any]]


class StepOut(msgspec.Struct):
    kind: str
    state: str
    at: datetime
    unit: str | None


class StatusOut(msgspec.Struct):
    tracking_code: str
    item_name: str
    state: str
    outcome: str
    next_step: str
    reason: str
    steps: list[StepOut]


class CasesApi(Controller):
    path = "/api/v1/cases"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["cases"]

    @post("/", status_code=201)
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
        )
        return CaseCreated(**created)

    @get("/{case_id:int}")
    async def get_case(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> CaseOut:
        """A case the caller may see, with its events."""
        case = await services.visible_case(principal, case_id)
        return _case_out(case, await timeline(case_id))

    @post("/{case_id:int}/actions", status_code=200)
    async def act(
        self,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        data: JSONBody[CaseAction],
    ) -> CaseOut:
        """Take an action (accept, refuse, request_supplement, approve, deny, …) on the case."""
        case = await services.act(
            principal,
            case_id,
            data.action[:32],
            reason=data.reason[:2000],
            opinion=data.opinion[:2000],
        )
        return _case_out(case, await timeline(case_id))


def _case_out(case: dict, events: list[dict]) -> CaseOut:
    return CaseOut(
        id=case["id"],
        tracking_code=case["tracking_code"],
        item_code=case["item_code"],
        state=case["state"],
        outcome=case["outcome"],
        due_on=case["due_on"],
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
            }
            for e in events
        ],
    )


class StatusApi(Controller):
    path = "/api/v1/status"
    tags = ["public"]

    @get("/{code:str}")
    async def status(self, code: FromPath[str], last4: FromQuery[str]) -> StatusOut:
        """Public: a case's status by tracking code and the last 4 of the applicant's ID or phone."""
        found = await public_status(code[:40], last4[:8])
        return StatusOut(
            tracking_code=found.tracking_code,
            item_name=found.item_name,
            state=found.state,
            outcome=found.outcome,
            next_step=found.next_step,
            reason=found.reason,
            steps=[
                StepOut(kind=s["kind"], state=s["state"], at=s["at"], unit=s["unit"])
                for s in found.steps
            ],
        )
