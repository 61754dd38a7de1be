"""Public pages: verify a document (file, code or QR code) and fetch the site's CA files.

No login: anyone holding a document may check it.  A verification code is
the document's own secret (printed only on it), so the page that shows
what a code names shows only what the paper already shows.
"""

from __future__ import annotations

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.cases.services import visible_case
from core.errors import TongbanError
from core.i18n import N_, gettext
from core.signing import authorisations, authority, documents, verification
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal
from core.web.locale import current_locale

PEM = "application/x-pem-file"
UPLOAD_LIMIT = verification.MAX_UPLOAD + 64 * 1024


def outcome_context(outcome: verification.Outcome | None, error: str | None = None) -> dict:
    return {
        "outcome": outcome,
        "error": error,
        "status_labels": verification.STATUS_LABELS,
        "kind_names": documents.KIND_NAMES,
    }


def _message(exc: TongbanError) -> str:
    return gettext(current_locale.get(), exc.message, **exc.params)


async def _read(value: object) -> bytes | None:
    if isinstance(value, UploadFile) and value.filename:
        return await value.read(verification.MAX_UPLOAD + 1)
    return None


class VerifyController(Controller):
    """``/verify``: upload a file or type the code printed on it."""

    path = "/verify"

    @get("/", name="verify")
    async def page(self, code: FromQuery[str] = "") -> Template:
        context = outcome_context(None) | {"code": code[:40]}
        if code.strip():
            try:
                context["outcome"] = await verification.verify_code(code[:40])
            except TongbanError as exc:
                context["error"] = _message(exc)
        return Template("signing/verify.html", context=context)

    @post("/", name="verify.upload", request_max_body_size=UPLOAD_LIMIT)
    async def upload(self, request: Request) -> Template:
        form = await request.form()
        data = await _read(form.get("file"))
        signature = await _read(form.get("signature"))
        context = outcome_context(None) | {"code": ""}
        if not data:
            context["error"] = gettext(current_locale.get(), N_("Please choose a file to check."))
            return Template("signing/verify.html", context=context, status_code=422)
        try:
            context["outcome"] = await verification.verify_file(data, signature)
        except TongbanError as exc:
            context["error"] = _message(exc)
        return Template("signing/verify.html", context=context)

    @get("/document.pdf", name="verify.pdf", media_type="application/pdf")
    async def pdf(self, code: FromQuery[str]) -> Response:
        """The signed original a verification code names (the e-licence a resident reuses)."""
        document = await documents.find_by_code(code[:40])
        files = await documents.files_of(document["id"])
        return _pdf_response(files)


class QrLandingController(Controller):
    """What a phone opens from the QR code (``HTTPS://HOST/V/TB1.…``, upper case on purpose)."""

    path = "/V"

    @get("/{token:str}", name="verify.qr")
    async def qr(self, token: FromPath[str]) -> Template:
        outcome = await verification.verify_qr(token[:400])
        return Template("signing/verify.html", context=outcome_context(outcome) | {"code": ""})


class CaFilesController(Controller):
    """The site's trust anchors and revocation lists, at stable URLs."""

    path = "/ca"

    @get("/root.pem", name="ca.root", media_type=PEM)
    async def root(self) -> Response:
        return Response(await authority.root_pem(), media_type=PEM)

    @get("/chain.pem", name="ca.chain", media_type=PEM)
    async def chain(self) -> Response:
        return Response(b"".join(await authority.issuing_pems()), media_type=PEM)

    @get("/certs.pem", name="ca.certs", media_type=PEM)
    async def certs(self) -> Response:
        """Every seal ever issued: what an offline QR verifier looks serials up in."""
        return Response(b"".join(await authority.leaf_pems()), media_type=PEM)

    @get("/crl.pem", name="ca.crl", media_type=PEM)
    async def crl(self) -> Response:
        return Response(
            b"".join(await authority.current_crls()),
            media_type=PEM,
            headers={"Cache-Control": "public, max-age=3600"},
        )


def _pdf_response(files: dict) -> Response:
    name = f"{files['kind']}-{files['verification_code']}.pdf"
    return Response(
        bytes(files["pdf"]),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )


class DocumentController(Controller):
    """Staff fetch a case's signed documents (scoped like the case itself)."""

    path = "/documents"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    async def _files(self, principal: Principal, document_id: int) -> dict:
        files = await documents.files_of(document_id)
        try:
            await visible_case(principal, files["case"])
        except TongbanError:
            raise documents.DocumentNotFound() from None
        return files

    @get("/{document_id:int}/pdf", name="documents.pdf", media_type="application/pdf")
    async def pdf(
        self, principal: NamedDependency[Principal], document_id: FromPath[int]
    ) -> Response:
        return _pdf_response(await self._files(principal, document_id))

    @get("/{document_id:int}/p7s", name="documents.p7s", media_type="application/pkcs7-signature")
    async def p7s(
        self, principal: NamedDependency[Principal], document_id: FromPath[int]
    ) -> Response:
        """The detached CMS signature over the PDF (``openssl cms -verify -binary …``)."""
        files = await self._files(principal, document_id)
        return Response(
            bytes(files["signature"]),
            media_type="application/pkcs7-signature",
            headers={
                "Content-Disposition": f'attachment; filename="{files["verification_code"]}.p7s"'
            },
        )

    @get("/case/{case_id:int}", name="documents.of_case", media_type=MediaType.HTML)
    async def of_case(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template:
        """A case's signed documents: a fragment for htmx, else a page of its own."""
        case = await visible_case(principal, case_id)
        rows = await documents.documents_of_case(case["id"])
        fragment = request.headers.get("HX-Request") == "true"
        return Template(
            "signing/partials/case_documents.html" if fragment else "signing/case_documents.html",
            context={"documents": rows, "kind_names": documents.KIND_NAMES, "case": case},
        )


class AuthorisationEvidenceController(Controller):
    """The resident's signature or signed scan behind a proxy filing."""

    path = "/authorisations"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{authorisation_id:int}/evidence", name="authorisations.evidence")
    async def evidence(
        self, principal: NamedDependency[Principal], authorisation_id: FromPath[int]
    ) -> Response:
        """For the agent who took it and for staff who may see the case it is bound to."""
        row = await authorisations.evidence_of(principal, authorisation_id)
        return Response(
            bytes(row["image"]),
            media_type=row["mime"],
            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        )
