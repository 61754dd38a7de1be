"""One place that answers "is this document genuine?" for PDFs and detached signatures.

Both checks use pyHanko for integrity and the chain to the site root, then
apply the site's CRL themselves, because the answer the public page needs
is not just yes/no: a revoked seal should say *when* it was revoked and
whether the document was signed before that, and a document whose bytes
changed must read "altered" rather than some generic failure.

Precedence when several things are wrong: altered, then unknown_signer,
then revoked.  Chains are validated at the signature's own signing time,
so a document stays verifiable after its seal certificate expires or is
rotated (revocation is what withdraws trust, not expiry).
"""

from __future__ import annotations

import datetime as dt
import io

from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SignedDataCerts
from pyhanko.sign.validation import (
    SignatureCoverageLevel,
    async_validate_detached_cms,
    async_validate_pdf_signature,
)
from pyhanko.sign.validation.generic_cms import (
    extract_certs_for_validation,
    extract_self_reported_ts,
)
from pyhanko.sign.validation.status import StandardCMSSignatureStatus
from pyhanko_certvalidator import ValidationContext

from ._aio import run_sync
from .ca import CertInput, CrlInput, load_certs, load_crls
from .chain import is_issued_by, revocation_time
from .cms import load_signed_data
from .result import Verification

__all__ = ["averify_detached", "averify_pdf", "verify_detached", "verify_pdf"]

# Later revisions that may follow a signature without voiding it: adding
# validation data, a timestamp or another signature (which counts as form
# filling).  Anything beyond (annotations, page content) means "altered".
_ALLOWED_LATER_CHANGES = (
    ModificationLevel.NONE,
    ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING,
)

# Byte strings that only a signed PDF contains; one flipped bit cannot remove all.
_SIGNATURE_MARKERS = (b"/ByteRange", b"/SubFilter", b"/ETSI.CAdES.detached", b"/FT /Sig")

# A claimed signing time this far in the future is not believed.
_FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _to_crypto(cert: asn1_x509.Certificate) -> x509.Certificate:
    return x509.load_der_x509_certificate(cert.dump())


def _context(roots: list[x509.Certificate], signed_at: dt.datetime | None) -> ValidationContext:
    now = dt.datetime.now(dt.UTC)
    believable = signed_at is not None and signed_at <= now + _FUTURE_TOLERANCE
    return ValidationContext(
        trust_roots=[_to_asn1(c) for c in roots],
        moment=min(signed_at, now) if believable else now,  # type: ignore[type-var]
        allow_fetching=False,
        # Revocation is judged below from the site CRL, with dates.
        revocation_mode="soft-fail",
    )


def _judge(
    status: StandardCMSSignatureStatus,
    embedded: SignedDataCerts,
    roots: list[x509.Certificate],
    crls: list[x509.CertificateRevocationList],
    signed_at: dt.datetime | None,
) -> Verification:
    """Turn pyHanko's status plus the CRL into a Verification (integrity already judged)."""
    cert = _to_crypto(status.signing_cert)
    if not status.trusted:
        return Verification.for_cert(
            "unknown_signer", "Signer is not trusted by this site", cert, signed_at=signed_at
        )
    candidates = [_to_crypto(c) for c in embedded.other_certs] + roots
    issuer = next((c for c in candidates if c != cert and is_issued_by(cert, c)), None)
    revoked_at = revocation_time(cert, issuer, crls) if issuer is not None else None
    if revoked_at is not None:
        return Verification.for_cert(
            "revoked",
            "Signing certificate has been revoked",
            cert,
            signed_at=signed_at,
            revoked_at=revoked_at,
            signed_before_revocation=(signed_at < revoked_at) if signed_at else None,
        )
    return Verification.for_cert("valid", "Signature is valid", cert, signed_at=signed_at)


async def averify_pdf(data: bytes, trust_roots: CertInput, crl: CrlInput = None) -> Verification:
    """Verify every signature in a PDF; report the first problem, else the first signer.

    ``trust_roots`` is the site root (or several sites' roots); intermediate
    certificates come from the signature itself.
    """
    roots, crls = load_certs(trust_roots), load_crls(crl)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_regular_signatures
    except Exception:  # pyHanko raises many types on a mangled file
        return Verification("altered", "Document cannot be read")
    if not signatures:
        if any(marker in data for marker in _SIGNATURE_MARKERS):
            # A signature dictionary is there but no longer parses as one:
            # a flipped byte in its structure, not an unsigned document.
            return Verification("altered", "Signature cannot be read")
        return Verification("unknown_signer", "Document is not signed")

    first: Verification | None = None
    for sig in signatures:
        try:
            signed_at = sig.self_reported_timestamp
            context = _context(roots, signed_at)
        except Exception:  # e.g. a mangled /M date
            return Verification("altered", "Signature cannot be read")
        try:
            status = await async_validate_pdf_signature(sig, context)
        except Exception:
            return Verification("altered", "Signature cannot be read", signed_at=signed_at)
        finally:
            await context.aclose()
        cert = _to_crypto(status.signing_cert)
        if not status.intact:
            result = Verification.for_cert(
                "altered", "Document was altered after signing", cert, signed_at=signed_at
            )
        elif not status.valid:
            result = Verification.for_cert(
                "altered", "Signature is invalid", cert, signed_at=signed_at
            )
        elif not _coverage_ok(status.coverage, status.modification_level, status.docmdp_ok):
            result = Verification.for_cert(
                "altered", "Document was modified after signing", cert, signed_at=signed_at
            )
        else:
            embedded = extract_certs_for_validation(sig.signed_data)
            result = _judge(status, embedded, roots, crls, signed_at)
        if not result.ok:
            return result
        first = first or result
    assert first is not None
    return first


def _coverage_ok(
    coverage: SignatureCoverageLevel | None,
    level: ModificationLevel | None,
    docmdp_ok: bool | None,
) -> bool:
    if coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    if coverage != SignatureCoverageLevel.ENTIRE_REVISION or docmdp_ok is False:
        return False
    return level in _ALLOWED_LATER_CHANGES


def _cms_signing_time(signed: asn1_cms.SignedData) -> dt.datetime | None:
    infos = signed["signer_infos"]
    return extract_self_reported_ts(infos[0]) if len(infos) else None


async def averify_detached(
    content: bytes, signature: bytes, trust_roots: CertInput, crl: CrlInput = None
) -> Verification:
    """Verify a detached CMS signature (DER or PEM) over ``content``."""
    roots, crls = load_certs(trust_roots), load_crls(crl)
    try:
        signed = load_signed_data(signature)
        signed_at = _cms_signing_time(signed)
    except ValueError:
        return Verification("altered", "Signature cannot be read")
    context = _context(roots, signed_at)
    try:
        status = await async_validate_detached_cms(
            content, signed, signer_validation_context=context
        )
    except Exception:
        return Verification("altered", "Signature cannot be read", signed_at=signed_at)
    finally:
        await context.aclose()
    cert = _to_crypto(status.signing_cert)
    if not status.intact:
        return Verification.for_cert(
            "altered", "Content was altered after signing", cert, signed_at=signed_at
        )
    if not status.valid:
        return Verification.for_cert("altered", "Signature is invalid", cert, signed_at=signed_at)
    return _judge(status, extract_certs_for_validation(signed), roots, crls, signed_at)


def verify_pdf(data: bytes, trust_roots: CertInput, crl: CrlInput = None) -> Verification:
    """Synchronous :func:`averify_pdf`."""
    return run_sync(averify_pdf(data, trust_roots, crl))


def verify_detached(
    content: bytes, signature: bytes, trust_roots: CertInput, crl: CrlInput = None
) -> Verification:
    """Synchronous :func:`averify_detached`."""
    return run_sync(averify_detached(content, signature, trust_roots, crl))
