"""Offline certificate path checks with ``cryptography`` alone.

pyHanko validates the chains of PDF and CMS signatures; this small checker
serves the places that have only a certificate and no signature container:
the offline QR verifier, and finding which CA certificate signed a CRL.
It is deliberately strict and simple because a site's hierarchy is always
root -> issuing CA -> leaf.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.exceptions import InvalidSignature

__all__ = ["ChainError", "build_chain", "is_issued_by", "revocation_time"]

_MAX_DEPTH = 4


class ChainError(Exception):
    """The certificate does not chain to a trusted root; ``args[0]`` is a short msgid."""


def is_issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s name and key signed ``cert``."""
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    if not bc.ca:
        return False
    try:
        ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return ku.key_cert_sign


def _valid_at(cert: x509.Certificate, at: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= at <= cert.not_valid_after_utc


def build_chain(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
    *,
    at: dt.datetime | None = None,
) -> list[x509.Certificate]:
    """Return the path ``[leaf, ..., root]`` valid at ``at`` (default now) or raise ChainError."""
    moment = at or dt.datetime.now(dt.UTC)
    if not _valid_at(leaf, moment):
        raise ChainError("certificate is not valid at that time")
    path = [leaf]
    current = leaf
    for _ in range(_MAX_DEPTH):
        for root in roots:
            if is_issued_by(current, root):
                if not _valid_at(root, moment):
                    raise ChainError("root certificate is not valid at that time")
                return [*path, root]
        parent = next(
            (c for c in intermediates if c not in path and _is_ca(c) and is_issued_by(current, c)),
            None,
        )
        if parent is None:
            raise ChainError("certificate does not chain to a trusted root")
        if not _valid_at(parent, moment):
            raise ChainError("issuing certificate is not valid at that time")
        path.append(parent)
        current = parent
    raise ChainError("certificate chain is too long")


def revocation_time(
    cert: x509.Certificate,
    issuer: x509.Certificate,
    crls: Sequence[x509.CertificateRevocationList],
) -> dt.datetime | None:
    """When ``cert`` was revoked according to ``issuer``'s CRLs, or None if it is not listed.

    CRLs of other issuers are skipped (a verifier may hold several sites'
    lists); a CRL that claims to be ``issuer``'s but is not signed by it
    raises ValueError, since trusting it would let anyone revoke a seal.
    """
    found: dt.datetime | None = None
    for crl in crls:
        if crl.issuer != issuer.subject:
            continue
        if not crl.is_signature_valid(issuer.public_key()):  # type: ignore[arg-type]
            raise ValueError("CRL signature is invalid")
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        if entry is not None and (found is None or entry.revocation_date_utc < found):
            found = entry.revocation_date_utc
    return found
