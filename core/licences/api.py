"""The e-licence library's JSON API under /api/v1 (documented at /api/docs)."""

from __future__ import annotations

import datetime as dt

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, JSONBody

from core.errors import PermissionDenied
from core.licences import library
from core.signing.authorisations import resident_hash
from core.tenancy.scope import Principal
from core.web.errors import API_ERROR_RESPONSES
from core.web.guards import login_required, provide_principal


class LicenceOut(msgspec.Struct):
    id: int
    licence_number: str
    licence_type: str
    title: str
    holder_name: str
    issued_at: dt.datetime
    valid_until: dt.date | None
    current: bool
    verification_code: str
    issued_by_case: str | None


class MaterialOptionOut(msgspec.Struct):
    material_code: str
    material_name: str
    licence_type: str
    candidates: list[LicenceOut]
    attached: dict | None


class AttachIn(msgspec.Struct):
    licence_id: int


class AttachOut(msgspec.Struct):
    material_code: str
    licence_id: int
    licence_number: str
    title: str
    status: str
    reason: str
    signer: str | None
    signed_at: dt.datetime | None


def _licence_out(row: dict) -> LicenceOut:
    return LicenceOut(
        id=row["id"],
        licence_number=row["licence_number"],
        licence_type=row["licence_type"],
        title=row["title"],
        holder_name=row["holder_name"],
        issued_at=row["issued_at"],
        valid_until=row["valid_until"],
        current=row.get("current", True),
        verification_code=row["document.verification_code"],
        issued_by_case=row["case.tracking_code"],
    )


class LicencesApi(Controller):
    path = "/api/v1"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["licences"]

    @get("/cases/{case_id:int}/licences", responses=API_ERROR_RESPONSES)
    async def options(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> list[MaterialOptionOut]:
        """Materials of this case an e-licence may replace, with the applicant's usable licences."""
        return [
            MaterialOptionOut(
                material_code=o["material"].code,
                material_name=o["material"].name,
                licence_type=o["licence_type"],
                candidates=[_licence_out(c) for c in o["candidates"]],
                attached=(
                    {
                        "licence_id": o["attached"]["licence.id"],
                        "licence_number": o["attached"]["licence.licence_number"],
                        "status": o["attached"]["verified_status"],
                    }
                    if o["attached"]
                    else None
                ),
            )
            for o in await library.material_options(principal, case_id)
        ]

    @post(
        "/cases/{case_id:int}/materials/{material_code:str}/licence",
        status_code=200,
        responses=API_ERROR_RESPONSES,
    )
    async def attach(
        self,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        material_code: FromPath[str],
        data: JSONBody[AttachIn],
    ) -> AttachOut:
        """Attach one of the applicant's e-licences in place of a material; it is verified first."""
        done = await library.attach(principal, case_id, material_code[:64], data.licence_id)
        return AttachOut(**done)

    @get("/licences", responses=API_ERROR_RESPONSES)
    async def of_holder(
        self,
        principal: NamedDependency[Principal],
        id_number: FromQuery[str],
        licence_type: FromQuery[str | None] = None,
    ) -> list[LicenceOut]:
        """A resident's e-licences, by their ID number (for agents and clerks filing for them)."""
        if not principal.has_role(*library.ATTACH_ROLES):
            raise PermissionDenied()
        rows = await library.licences_of_holder(
            resident_hash(id_number[:18]), (licence_type or "")[:64] or None
        )
        return [_licence_out(r) for r in rows]
