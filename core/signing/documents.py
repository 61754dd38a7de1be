"""Issue signed documents: lay out, seal, store — once per (case, event, kind).

A document is rendered to PDF with its verification code and a QR code
that carries the code, the signing time, the seal's serial and a digest of
the printed rows under the seal's signature (:mod:`core.signing.qr`).  The
PDF gets the unit's PAdES seal and, for decisions by an approver who holds
a personal certificate, the approver's signature too; a detached CMS
signature over the final PDF is stored beside it for ``openssl cms``.

Rendering and signing are CPU work, so they run in a thread; the row is
inserted with ``ON CONFLICT DO NOTHING`` on its ``doc_key``, so an event
handled twice (a redelivered message) yields one document.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from stdnum.iso7064 import mod_37_36

from core.errors import NotFound, TongbanError
from core.i18n import N_, gettext
from core.settings import get_settings, site_today
from core.signing import cms, pdf, qr
from core.signing.authority import Signer, person_signer, unit_signer
from core.signing.tables import Document
from core.tenancy.tables import Unit

# No I or O in the random part: they are read as 1 and 0 off paper.
_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_CODE_RANDOM = 15

KIND_NAMES = {
    "receipt": N_("Acceptance notice"),
    "refusal": N_("Notice of refusal to accept"),
    "supplement": N_("One-time supplement notice"),
    "decision": N_("Decision notice"),
    "licence": N_("E-licence"),
}


class InvalidVerificationCode(TongbanError):
    status_code = 422
    message = N_("This verification code is not valid. Please check it and type it again.")


class DocumentNotFound(NotFound):
    message = N_("No document has this verification code.")


@dataclass(frozen=True)
class DocumentDraft:
    """What a case event asks to be issued; ``rows`` are what the QR code vouches for."""

    kind: str
    case_id: int
    event_seq: int
    unit_id: int
    title: str
    rows: Sequence[tuple[str, str]]
    paragraphs: Sequence[str] = ()
    approver_id: int | None = None  # adds the approver's own signature if they have a cert
    reason: str = ""  # the PDF signature's /Reason

    @property
    def doc_key(self) -> str:
        return f"{self.case_id}:{self.event_seq}:{self.kind}"


@dataclass(frozen=True)
class SignedFiles:
    pdf: bytes
    signature: bytes
    qr_payload: str
    signed_at: dt.datetime
    signer_serial: str
    person_serial: str = ""
    rows: list[list[str]] = field(default_factory=list)


# ------------------------------------------------------------------ verification codes


def new_verification_code() -> str:
    """15 random characters plus an ISO 7064 check character, in groups of four."""
    body = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_RANDOM))
    raw = body + mod_37_36.calc_check_digit(body)
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalise_code(text: str) -> str:
    """Canonical form of a typed code; raise InvalidVerificationCode on a typo."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if len(raw) != _CODE_RANDOM + 1 or not mod_37_36.is_valid(raw):
        raise InvalidVerificationCode()
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# ------------------------------------------------------------------ rendering and sealing


def qr_prefix() -> str:
    """``HTTPS://HOST/V/`` when the site names its public URL, so a phone opens the check."""
    url = str(get_settings().site.get("site", {}).get("public_url") or "").rstrip("/")
    return f"{url.upper()}/V/" if url else ""


def _labels(locale: str) -> pdf.DocumentLabels:
    return pdf.DocumentLabels(
        issued_by=gettext(locale, N_("Issued by")),
        issued_on=gettext(locale, N_("Issued on")),
        verification_code=gettext(locale, N_("Verification code")),
        scan_hint=gettext(
            locale,
            N_("Scan the QR code or enter the verification code online to check this document"),
        ),
    )


def seal(
    draft: DocumentDraft,
    unit_name: str,
    signer: Signer,
    approver: Signer | None,
    code: str,
    *,
    signed_at: dt.datetime | None = None,
) -> SignedFiles:
    """Render and sign one document (pure CPU work, no database)."""
    settings = get_settings()
    moment = (signed_at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    rows = [(str(label), str(value)) for label, value in draft.rows]
    payload = qr.make_qr_payload(
        code,
        rows,
        signer.pair,
        signer.passphrase,
        signed_at=moment,
        url_prefix=qr_prefix(),
        backend=signer.backend,
    )
    content = pdf.DocumentContent(
        title=draft.title,
        rows=rows,
        paragraphs=list(draft.paragraphs),
        unit_name=unit_name,
        issued_on=site_today(moment),
        verification_code=code,
        qr_png=qr.qr_png(payload),
        labels=_labels(settings.default_locale),
    )
    document = pdf.render_pdf(content)
    document = pdf.sign_pdf(
        document,
        signer.pair,
        signer.passphrase,
        signer.chain,
        reason=draft.reason or draft.title,
        backend=signer.backend,
    )
    if approver is not None:
        document = pdf.sign_pdf(
            document,
            approver.pair,
            approver.passphrase,
            approver.chain,
            field_name="ApproverSignature",
            reason=draft.reason or draft.title,
            backend=approver.backend,
        )
    signature = cms.sign_detached(
        document, signer.pair, signer.passphrase, signer.chain, backend=signer.backend
    )
    return SignedFiles(
        pdf=document,
        signature=signature,
        qr_payload=payload,
        signed_at=moment,
        signer_serial=signer.serial,
        person_serial=approver.serial if approver else "",
        rows=[list(r) for r in rows],
    )


async def issue_document(draft: DocumentDraft) -> dict:
    """Issue ``draft`` unless its document exists already; return the document's row."""
    existing = await find_by_key(draft.doc_key)
    if existing is not None:
        return existing
    unit = await Unit.select(Unit.name).where(Unit.id == draft.unit_id).first()
    if unit is None:
        raise NotFound()
    signer = await unit_signer(draft.unit_id)
    approver = await person_signer(draft.approver_id) if draft.approver_id else None
    code = new_verification_code()
    files = await asyncio.to_thread(seal, draft, unit["name"], signer, approver, code)
    await Document.insert(
        Document(
            doc_key=draft.doc_key,
            kind=draft.kind,
            case=draft.case_id,
            event_seq=draft.event_seq,
            unit=draft.unit_id,
            title=draft.title[:256],
            rows=files.rows,
            verification_code=code,
            qr_payload=files.qr_payload,
            signer_serial=files.signer_serial,
            person_serial=files.person_serial,
            signed_at=files.signed_at,
            pdf=files.pdf,
            pdf_sha256=hashlib.sha256(files.pdf).hexdigest(),
            signature=files.signature,
        )
    ).on_conflict(target=Document.doc_key, action="DO NOTHING")
    found = await find_by_key(draft.doc_key)
    assert found is not None
    return found


# ------------------------------------------------------------------ look-ups

SUMMARY = (
    Document.id,
    Document.kind,
    Document.title,
    Document.verification_code,
    Document.signed_at,
    Document.event_seq,
    Document.signer_serial,
    Document.person_serial,
    Document.pdf_sha256,
    Document.case.id,
    Document.case.tracking_code,
    Document.unit.name,
    Document.unit.name_en,
)


async def find_by_key(doc_key: str) -> dict | None:
    return await Document.select(*SUMMARY).where(Document.doc_key == doc_key).first()


async def find_by_code(code: str) -> dict:
    """The document with this verification code (typo → InvalidVerificationCode)."""
    row = (
        await Document.select(*SUMMARY, Document.rows, Document.qr_payload)
        .where(Document.verification_code == normalise_code(code))
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise DocumentNotFound()
    return row


async def find_by_sha256(digest: str) -> dict | None:
    return await Document.select(*SUMMARY).where(Document.pdf_sha256 == digest).first()


async def files_of(document_id: int) -> dict:
    """The stored PDF and detached signature of one document."""
    row = (
        await Document.select(
            Document.id,
            Document.pdf,
            Document.signature,
            Document.verification_code,
            Document.kind,
            Document.case,
        )
        .where(Document.id == document_id)
        .first()
    )
    if row is None:
        raise DocumentNotFound()
    return row


async def documents_of_case(case_id: int) -> list[dict]:
    return await Document.select(*SUMMARY).where(Document.case == case_id).order_by(Document.id)
