"""Detached CMS (PKCS#7) signatures over arbitrary bytes.

Used for what is not a PDF: exported data files, the case-event log
checkpoints, receipts sent as plain files.  The signature is detached so
that the signed file stays byte-for-byte what it was, and it carries the
signer's and the issuing CA's certificates so that anyone holding only the
site root (``openssl cms -verify -CAfile root.pem``, or
:func:`core.signing.verify.verify_detached`) can check it.
"""

from __future__ import annotations

import base64
import re

from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7

from .backend import DEFAULT_BACKEND, SigningBackend
from .ca import CertAndKey, CertInput, Passphrase, load_certs, load_private_key

__all__ = ["load_signed_data", "sign_detached", "signature_certificates"]

_PEM_RE = re.compile(rb"-----BEGIN (?:PKCS7|CMS)-----(.+?)-----END (?:PKCS7|CMS)-----", re.S)


def sign_detached(
    content: bytes,
    signer: CertAndKey,
    key_passphrase: Passphrase,
    chain: CertInput = (),
    *,
    pem: bool = False,
    backend: SigningBackend = DEFAULT_BACKEND,
) -> bytes:
    """Sign ``content`` and return a detached CMS SignedData (DER, or PEM if ``pem``).

    ``chain`` is the issuing CA certificate (PEM or DER, one or several);
    the root may be included but a verifier must bring its own anyway.
    The signing time goes into the signed attributes, which is where
    verifiers read ``signed_at`` from.
    """
    cert = signer.cert
    key = load_private_key(signer.key_pem, key_passphrase)
    builder = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(content)
        .add_signer(cert, key, backend.hash_algorithm())  # type: ignore[arg-type]
    )
    for extra in load_certs(chain):
        if extra != cert:
            builder = builder.add_certificate(extra)
    encoding = serialization.Encoding.PEM if pem else serialization.Encoding.DER
    return builder.sign(encoding, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])


def _to_der(signature: bytes) -> bytes:
    match = _PEM_RE.search(signature)
    if match:
        return base64.b64decode(b"".join(match.group(1).split()))
    return signature


def load_signed_data(signature: bytes) -> asn1_cms.SignedData:
    """Parse a DER or PEM CMS signature; raise ValueError if it is not SignedData."""
    try:
        info = asn1_cms.ContentInfo.load(_to_der(signature))
        if info["content_type"].native != "signed_data":
            raise ValueError("not a CMS SignedData structure")
        signed = info["content"]
        signed.native  # noqa: B018  -- force a full parse so garbage fails here
    except ValueError:
        raise
    except Exception as exc:  # asn1crypto raises assorted types on garbage
        raise ValueError("malformed CMS signature") from exc
    return signed


def signature_certificates(signature: bytes) -> list[x509.Certificate]:
    """The certificates embedded in a CMS signature, in the order they were embedded."""
    signed = load_signed_data(signature)
    return [
        x509.load_der_x509_certificate(choice.chosen.dump())
        for choice in signed["certificates"] or []
        if choice.name == "certificate"
    ]
