"""The JSON API of the signing module under /api/v1 (documented at /api/docs)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from core.cases.services import visible_case
from core.errors import ValidationFailed
from core.i18n import N_, gettext
from core.signing import authorisations, documents, verification
from core.tenancy.scope import Principal
from core.web.errors import API_ERROR_RESPONSES
from core.web.guards import login_required, provide_principal, require_roles
from core.web.locale import current_locale


class VerificationOut(msgspec.Struct):
    status: str  # valid | altered | revoked | unknown_signer
    reason: str  # English
    message: str  # the reason in the caller's language
    signer: str | None
    unit: str | None
    unit_code: str | None
    serial: str | None
    signed_at: dt.datetime | None
    revoked_at: dt.datetime | None
    signed_before_revocation: bool | None
    data_matches: bool | None = None
    document: dict | None = None


class QrIn(msgspec.Struct):
    payload: str
    rows: list[tuple[str, str]] | None = None


class DocumentOut(msgspec.Struct):
    id: int
    kind: str
    title: str
    verification_code: str
    signed_at: dt.datetime
    unit: str | None
    pdf_url: str
    signature_url: str


class AuthorisationIn(msgspec.Struct):
    name: str
    id_number: str
    method: str  # tablet | paper
    image_base64: str
    item_code: str = ""
    unit_id: int | None = None


class AuthorisationOut(msgspec.Struct):
    id: int
    resident_name: str
    method: str
    item_code: str
    image_sha256: str
    created_at: dt.datetime
    expires_at: dt.datetime
    case: int | None


def verification_out(outcome: verification.Outcome) -> VerificationOut:
    result = outcome.result
    doc = outcome.document
    return VerificationOut(
        status=result.status,
        reason=result.reason,
        message=gettext(current_locale.get(), result.reason),
        signer=result.signer,
        unit=result.unit,
        unit_code=result.unit_code,
        serial=result.serial,
        signed_at=result.signed_at,
        revoked_at=result.revoked_at,
        signed_before_revocation=result.signed_before_revocation,
        data_matches=getattr(result, "data_matches", None),
        document=(
            {
                "kind": doc["kind"],
                "title": doc["title"],
                "verification_code": doc["verification_code"],
                "tracking_code": doc["case.tracking_code"],
                "issued_by": doc["unit.name"],
                "rows": outcome.rows,
            }
            if doc
            else None
        ),
    )


async def _file_bytes(value: object) -> bytes | None:
    if isinstance(value, UploadFile) and value.filename:
        return await value.read(verification.MAX_UPLOAD + 1)
    return None


class VerifyApi(Controller):
    """Public: anyone may check a document. No session, so no CSRF token either."""

    path = "/api/v1/verify"
    tags = ["public"]
    opt = {"exclude_from_csrf": True}

    @get("/{code:str}", responses=API_ERROR_RESPONSES)
    async def by_code(self, code: FromPath[str]) -> VerificationOut:
        """Re-verify the stored document a verification code names."""
        return verification_out(await verification.verify_code(code[:40]))

    @post(
        "/",
        status_code=200,
        request_max_body_size=verification.MAX_UPLOAD + 128 * 1024,
        responses=API_ERROR_RESPONSES,
    )
    async def by_file(self, request: Request) -> VerificationOut:
        """Verify an uploaded PDF (multipart field ``file``), or any file with ``signature``."""
        form = await request.form()
        data = await _file_bytes(form.get("file"))
        if not data:
            raise ValidationFailed([], message=N_("Please choose a file to check."))
        signature = await _file_bytes(form.get("signature"))
        return verification_out(await verification.verify_file(data, signature))

    @post("/qr", status_code=200, responses=API_ERROR_RESPONSES)
    async def by_qr(self, data: JSONBody[QrIn]) -> VerificationOut:
        """Verify a scanned QR payload; with ``rows`` (the printed label/value pairs), them too."""
        rows = [tuple(r) for r in data.rows] if data.rows is not None else None
        return verification_out(await verification.verify_qr(data.payload[:400], rows))


class DocumentsApi(Controller):
    path = "/api/v1/cases/{case_id:int}/documents"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["cases"]

    @get("/", responses=API_ERROR_RESPONSES)
    async def list_documents(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> list[DocumentOut]:
        """The signed documents of a case the caller may see."""
        case = await visible_case(principal, case_id)
        return [
            DocumentOut(
                id=d["id"],
                kind=d["kind"],
                title=d["title"],
                verification_code=d["verification_code"],
                signed_at=d["signed_at"],
                unit=d["unit.name"],
                pdf_url=f"/documents/{d['id']}/pdf",
                signature_url=f"/documents/{d['id']}/p7s",
            )
            for d in await documents.documents_of_case(case["id"])
        ]


def _authorisation_out(row: dict) -> AuthorisationOut:
    return AuthorisationOut(
        id=row["id"],
        resident_name=row["resident_name"],
        method=row["method"],
        item_code=row["item_code"],
        image_sha256=row["image_sha256"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        case=row["case"],
    )


class AuthorisationsApi(Controller):
    path = "/api/v1/authorisations"
    guards = [require_roles(*authorisations.AGENT_ROLES)]
    dependencies = {"principal": Provide(provide_principal)}
    tags = ["cases"]

    @post(
        "/",
        status_code=201,
        request_max_body_size=authorisations.MAX_BYTES * 2,
        responses=API_ERROR_RESPONSES,
    )
    async def record(
        self, principal: NamedDependency[Principal], data: JSONBody[AuthorisationIn]
    ) -> AuthorisationOut:
        """Record a resident's consent (``image_base64``: the tablet PNG or the paper scan)."""
        try:
            evidence = base64.b64decode(data.image_base64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise authorisations.BadAuthorisation(
                N_("The signature image is damaged. Please sign again.")
            ) from exc
        row = await authorisations.record(
            principal,
            name=data.name,
            id_number=data.id_number,
            method=data.method,
            evidence=evidence,
            item_code=data.item_code,
            unit_id=data.unit_id,
        )
        return _authorisation_out(row)

    @get("/", responses=API_ERROR_RESPONSES)
    async def pending(self, principal: NamedDependency[Principal]) -> list[AuthorisationOut]:
        """This agent's consents not yet used by a case."""
        return [_authorisation_out(r) for r in await authorisations.pending_for(principal)]
