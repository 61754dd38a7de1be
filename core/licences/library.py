"""Reuse issued e-licences as materials of later cases, instead of asking for paper.

When a later case's item lists a material with a ``licence_type``, the
agent or clerk attaches one of the applicant's licences of that type.  The
system checks, at that moment, that the licence is the applicant's (same
keyed ID hash), of the right type, unexpired, and that its signed PDF
still verifies against the site root and CRL; only then is it recorded,
and the attachment becomes an event of the case's hash chain.
"""

from __future__ import annotations

from core.cases.events import append_event
from core.cases.services import visible_case
from core.cases.states import OPEN_STATES
from core.catalog.versions import item_for_version
from core.db import transaction
from core.errors import NotFound, PermissionDenied, TongbanError
from core.i18n import N_
from core.jobs import outbox
from core.licences.tables import Licence, LicenceUse
from core.residents.tables import Resident
from core.settings import site_today
from core.signing.tables import Document
from core.signing.verification import verify_code
from core.tenancy.scope import Principal

ATTACH_ROLES = ("village_agent", "window_clerk")
EVENT_KIND = "licence_attached"


class LicenceNotFound(NotFound):
    message = N_("No such licence.")


class MaterialNotReplaceable(TongbanError):
    status_code = 422
    message = N_("This material cannot be replaced by an e-licence.")


class LicenceWrongType(TongbanError):
    status_code = 422
    message = N_("This licence is not the kind of licence this material needs.")


class LicenceExpired(TongbanError):
    status_code = 422
    message = N_("This licence has expired or was cancelled.")


class LicenceNotGenuine(TongbanError):
    status_code = 422
    message = N_("This licence's signature does not verify, so it cannot be used.")

    BY_STATUS = {
        "altered": N_("This licence was altered after it was issued, so it cannot be used."),
        "revoked": N_("The seal on this licence has been revoked, so it cannot be used."),
        "unknown_signer": N_("This licence was not signed by this site, so it cannot be used."),
    }

    def __init__(self, status: str):
        super().__init__(self.BY_STATUS.get(status))


class CaseClosedForMaterials(TongbanError):
    status_code = 409
    message = N_("Materials can no longer be added to this case.")


LICENCE_COLUMNS = (
    Licence.id,
    Licence.licence_number,
    Licence.licence_type,
    Licence.holder_name,
    Licence.title,
    Licence.item_code,
    Licence.issued_at,
    Licence.valid_until,
    Licence.status,
    Licence.document,
    Licence.document.verification_code,
    Licence.case.tracking_code,
)


def _current(row: dict) -> bool:
    return row["status"] == "valid" and (
        row["valid_until"] is None or row["valid_until"] >= site_today()
    )


async def holder_hash_of_case(case: dict) -> str:
    if not case.get("resident"):
        return ""
    row = (
        await Resident.select(Resident.id_number_hash)
        .where(Resident.id == case["resident"])
        .first()
    )
    return (row or {}).get("id_number_hash") or ""


async def licences_of_holder(holder_hash: str, licence_type: str | None = None) -> list[dict]:
    """The holder's licences (optionally of one type), newest first; includes expired ones."""
    if not holder_hash:
        return []
    where = Licence.holder_hash == holder_hash
    if licence_type:
        where = where & (Licence.licence_type == licence_type)
    rows = await Licence.select(*LICENCE_COLUMNS).where(where).order_by(Licence.id, ascending=False)
    return [r | {"current": _current(r)} for r in rows]


async def uses_of_case(case_id: int) -> list[dict]:
    return (
        await LicenceUse.select(
            LicenceUse.material_code,
            LicenceUse.verified_status,
            LicenceUse.verified_reason,
            LicenceUse.attached_at,
            LicenceUse.licence.id,
            LicenceUse.licence.licence_number,
            LicenceUse.licence.title,
        )
        .where(LicenceUse.case == case_id)
        .order_by(LicenceUse.id)
    )


async def material_options(principal: Principal, case_id: int) -> list[dict]:
    """For each material of the case's item that a licence may replace: candidates and use."""
    case = await visible_case(principal, case_id)
    item = await item_for_version(case["item_version"])
    holder = await holder_hash_of_case(case)
    uses = {u["material_code"]: u for u in await uses_of_case(case_id)}
    options = []
    for material in item.materials:
        if not material.licence_type:
            continue
        candidates = await licences_of_holder(holder, material.licence_type)
        options.append(
            {
                "material": material,
                "licence_type": material.licence_type,
                "candidates": [c for c in candidates if c["current"]],
                "attached": uses.get(material.code),
            }
        )
    return options


async def attach(principal: Principal, case_id: int, material_code: str, licence_id: int) -> dict:
    """Verify the licence and attach it to the case in place of ``material_code``.

    Raises a clear error, and changes nothing, when the material takes no
    licence, the licence is someone else's, of another type, expired, or
    its signature no longer verifies.
    """
    if not principal.has_role(*ATTACH_ROLES):
        raise PermissionDenied()
    case = await visible_case(principal, case_id)
    if case["state"] not in OPEN_STATES:
        raise CaseClosedForMaterials()
    item = await item_for_version(case["item_version"])
    material = item.material(material_code)
    if material is None or not material.licence_type:
        raise MaterialNotReplaceable()
    licence = (
        await Licence.select(*LICENCE_COLUMNS, Licence.holder_hash)
        .where(Licence.id == licence_id)
        .first()
    )
    holder = await holder_hash_of_case(case)
    if licence is None or not holder or licence["holder_hash"] != holder:
        raise LicenceNotFound()  # another person's licence is not even acknowledged
    if licence["licence_type"] != material.licence_type:
        raise LicenceWrongType()
    if not _current(licence):
        raise LicenceExpired()
    outcome = await verify_code(licence["document.verification_code"])
    if not outcome.result.ok:
        raise LicenceNotGenuine(outcome.result.status)
    document = (
        await Document.select(Document.pdf_sha256).where(Document.id == licence["document"]).first()
    )
    async with transaction():
        fresh = await visible_case(principal, case_id)
        await LicenceUse.insert(
            LicenceUse(
                use_key=f"{case_id}:{material.code}",
                case=case_id,
                material_code=material.code,
                licence=licence["id"],
                verified_status=outcome.result.status,
                verified_reason=outcome.result.reason[:128],
                attached_by=principal.staff_id,
            )
        ).on_conflict(
            target=LicenceUse.use_key,
            action="DO UPDATE",
            values=[
                LicenceUse.licence,
                LicenceUse.verified_status,
                LicenceUse.verified_reason,
                LicenceUse.attached_by,
                LicenceUse.attached_at,
            ],
        )
        unit_id = next(
            (m.unit_id for m in principal.memberships_with(*ATTACH_ROLES)),
            None,
        )
        await append_event(
            fresh,
            kind=EVENT_KIND,
            from_state=fresh["state"],
            to_state=fresh["state"],
            actor_id=principal.staff_id,
            actor_name=principal.display_name,
            unit_id=unit_id,
            payload={
                "material": material.code,
                "licence_number": licence["licence_number"],
                "licence_type": licence["licence_type"],
                "document_sha256": document["pdf_sha256"] if document else "",
                "verified": outcome.result.status,
            },
        )
        await outbox.enqueue("case_event", case_id=case_id, seq=fresh["event_count"])
    return {
        "material_code": material.code,
        "licence_id": licence["id"],
        "licence_number": licence["licence_number"],
        "title": licence["title"],
        "status": outcome.result.status,
        "reason": outcome.result.reason,
        "signer": outcome.result.signer,
        "signed_at": outcome.result.signed_at,
    }
