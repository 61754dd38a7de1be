"""Answer "is this document genuine?" for an uploaded file, a typed code or a scanned QR code.

The answer is always one of valid / altered / revoked / unknown_signer
(:class:`core.signing.result.Verification`) plus, when the document is one
this site issued, what it is and which case it belongs to.  Trust comes
from the site root and the site's current CRLs only — exactly what an
offline verifier holding ``root.pem`` and ``crl.pem`` would use — never
from the database row saying "this is fine".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from core.errors import TongbanError
from core.i18n import N_
from core.signing import qr
from core.signing.authority import (
    certificate_by_serial,
    current_crls,
    issuing_pems,
    root_pem,
)
from core.signing.ca import serial_hex
from core.signing.documents import (
    DocumentNotFound,
    InvalidVerificationCode,
    files_of,
    find_by_code,
    find_by_sha256,
)
from core.signing.result import Verification
from core.signing.verify import averify_detached, averify_pdf

MAX_UPLOAD = 20 * 1024 * 1024

# The verifiers' reasons, marked for translation (they are English msgids).
REASONS = (
    N_("Signature is valid"),
    N_("Document was altered after signing"),
    N_("Document was modified after signing"),
    N_("Document cannot be read"),
    N_("Document is not signed"),
    N_("Signature cannot be read"),
    N_("Signature is invalid"),
    N_("Signer is not trusted by this site"),
    N_("Signing certificate has been revoked"),
    N_("Content was altered after signing"),
    N_("QR code is not a valid verification code"),
    N_("QR code was signed with a different certificate"),
    N_("QR signature is invalid"),
    N_("Printed data does not match the signed data"),
    N_("certificate is not valid at that time"),
    N_("root certificate is not valid at that time"),
    N_("certificate does not chain to a trusted root"),
    N_("issuing certificate is not valid at that time"),
    N_("certificate chain is too long"),
    N_("The stored copy of this document was altered"),
    N_("The QR code names a certificate this site never issued"),
    N_("No document has this verification code."),
)

STATUS_LABELS = {
    "valid": N_("Genuine"),
    "altered": N_("Altered"),
    "revoked": N_("Seal revoked"),
    "unknown_signer": N_("Not signed by this site"),
}


class FileTooLarge(TongbanError):
    status_code = 413
    message = N_("The file is larger than 20 MB.")


@dataclass(frozen=True)
class Outcome:
    """A verification result and, when known, the document it concerns."""

    result: Verification
    document: dict | None = None
    rows: list[list[str]] | None = None


async def _trust() -> tuple[bytes, list[bytes]]:
    return await root_pem(), await current_crls()


async def verify_file(data: bytes, signature: bytes | None = None) -> Outcome:
    """Check an uploaded PDF (or any file with its detached ``signature``)."""
    if len(data) > MAX_UPLOAD:
        raise FileTooLarge()
    root, crls = await _trust()
    if signature:
        result = await averify_detached(data, signature, root, crls)
    else:
        result = await averify_pdf(data, root, crls)
    document = None
    if result.status in ("valid", "revoked"):
        document = await find_by_sha256(hashlib.sha256(data).hexdigest())
    return Outcome(result, document)


async def verify_code(code: str) -> Outcome:
    """Re-check the stored document a verification code names (raises on a bad code)."""
    document = await find_by_code(code)
    files = await files_of(document["id"])
    pdf = bytes(files["pdf"])
    root, crls = await _trust()
    result = await averify_pdf(pdf, root, crls)
    if result.ok and hashlib.sha256(pdf).hexdigest() != document["pdf_sha256"]:
        result = Verification("altered", N_("The stored copy of this document was altered"))
    return Outcome(result, document, document.get("rows"))


async def verify_qr(text: str, rows: list[tuple[str, str]] | None = None) -> Outcome:
    """Check a scanned QR payload against ``rows`` (default: the rows this site signed).

    Without ``rows`` this proves the QR code is genuine and shows what was
    signed, for the reader to compare with the paper in hand.
    """
    try:
        payload = qr.parse_qr_payload(text)
    except ValueError:
        return Outcome(qr.QrVerification("altered", "QR code is not a valid verification code"))
    cert = await certificate_by_serial(serial_hex(payload.serial))
    if cert is None:
        return Outcome(
            qr.QrVerification(
                "unknown_signer", N_("The QR code names a certificate this site never issued")
            )
        )
    document = None
    try:
        document = await find_by_code(payload.code)
    except (InvalidVerificationCode, DocumentNotFound):  # the QR check stands on its own
        document = None
    signed_rows = (document or {}).get("rows") or []
    root, crls = await _trust()
    result = qr.verify_qr_payload(
        text,
        rows if rows is not None else [tuple(r) for r in signed_rows],
        cert["cert_pem"].encode("ascii"),
        root,
        intermediates=await issuing_pems(),
        crl=crls,
        backend=_backend(cert["backend"]),
    )
    return Outcome(result, document, signed_rows)


def _backend(name: str):
    from core.signing.keys import backend_named

    return backend_named(name)
