"""A QR payload that proves, offline, what a printed document says.

A villager shows a printed decision at a counter with no network.  The
QR code on it carries the verification code, the signing time, the
signer certificate's serial, a digest of the printed key data (the
label/value rows) and the unit key's signature over all of that.  A
verifier app that holds the site's certificates can then tell whether the
seal is genuine *and* whether the rows printed beside it are the rows that
were signed, without asking the server.

Format (all upper case so the QR code uses its dense alphanumeric mode)::

    [URL-PREFIX]TB1.<code>.<time>.<serial>.<digest>.<signature>

``time`` is the Unix signing time, ``serial`` the certificate serial (big
endian), ``digest`` the first 16 bytes of SHA-256 over the canonical rows
and ``signature`` the backend's compact signature (64 bytes for P-256),
each in unpadded RFC 4648 base32.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import qrcode
from cryptography import x509
from qrcode.constants import ERROR_CORRECT_M

from .backend import DEFAULT_BACKEND, SigningBackend
from .ca import (
    CertAndKey,
    CertInput,
    CrlInput,
    Passphrase,
    load_cert,
    load_certs,
    load_crls,
    load_private_key,
)
from .chain import ChainError, build_chain, revocation_time
from .result import Verification

__all__ = [
    "QrPayload",
    "QrVerification",
    "make_qr_payload",
    "parse_qr_payload",
    "qr_png",
    "rows_digest",
    "verify_qr_payload",
]

VERSION = "TB1"
_DIGEST_LEN = 16
_CODE_RE = re.compile(r"^[0-9A-Z-]{1,64}$")
_TOKEN_RE = re.compile(r"TB1\.([0-9A-Z-]+)\.([A-Z2-7]+)\.([A-Z2-7]+)\.([A-Z2-7]+)\.([A-Z2-7]+)$")

Rows = Iterable[tuple[str, str]]


@dataclass(frozen=True)
class QrPayload:
    """A decoded QR payload."""

    code: str
    signed_at: dt.datetime
    serial: int
    digest: bytes
    signature: bytes

    def message(self) -> bytes:
        """The exact bytes the signature covers (domain-separated, fixed layout)."""
        return _message(self.code, self.signed_at, self.serial, self.digest)


@dataclass(frozen=True)
class QrVerification(Verification):
    """A :class:`Verification` that also says whether the printed rows match."""

    data_matches: bool | None = None
    code: str | None = None


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _int_bytes(value: int) -> bytes:
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def _message(code: str, signed_at: dt.datetime, serial: int, digest: bytes) -> bytes:
    stamp = int(signed_at.timestamp())
    return b"\0".join(
        [VERSION.encode(), code.encode("ascii"), str(stamp).encode(), _int_bytes(serial), digest]
    )


def rows_digest(rows: Rows) -> bytes:
    """SHA-256 over the label/value rows in a canonical form.

    NFC normalisation and trimmed whitespace make the digest survive
    harmless retyping of the printed text (e.g. by a clerk into a form);
    order matters, since the rows are printed in order.
    """
    canon = [
        [
            unicodedata.normalize("NFC", str(label)).strip(),
            unicodedata.normalize("NFC", str(value)).strip(),
        ]
        for label, value in rows
    ]
    blob = json.dumps(canon, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return hashlib.sha256(b"tongban-rows-v1\0" + blob).digest()


def make_qr_payload(
    code: str,
    rows: Rows,
    signer: CertAndKey,
    key_passphrase: Passphrase,
    *,
    signed_at: dt.datetime | None = None,
    url_prefix: str = "",
    backend: SigningBackend = DEFAULT_BACKEND,
) -> str:
    """Sign ``code`` + ``rows`` with the unit key and return the QR text.

    ``url_prefix`` (e.g. ``"HTTPS://GOV.EXAMPLE/V/"``) makes a phone camera
    open the online check; keep it upper case to stay in alphanumeric mode.
    """
    if not _CODE_RE.match(code):
        raise ValueError("verification code must be 1-64 of A-Z, 0-9 and '-'")
    moment = (signed_at or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    serial = signer.cert.serial_number
    digest = rows_digest(rows)[:_DIGEST_LEN]
    key = load_private_key(signer.key_pem, key_passphrase)
    signature = backend.sign(key, _message(code, moment, serial, digest))
    token = ".".join(
        [
            VERSION,
            code,
            _b32(_int_bytes(int(moment.timestamp()))),
            _b32(_int_bytes(serial)),
            _b32(digest),
            _b32(signature),
        ]
    )
    return url_prefix + token


def parse_qr_payload(text: str) -> QrPayload:
    """Decode QR text (with or without a URL prefix); raise ValueError if it is not ours."""
    text = text.strip()
    start = text.rfind(VERSION + ".")
    match = _TOKEN_RE.match(text[start:]) if start >= 0 else None
    if not match:
        raise ValueError("not a Tongban verification payload")
    code, stamp, serial, digest, signature = match.groups()
    try:
        return QrPayload(
            code=code,
            signed_at=dt.datetime.fromtimestamp(int.from_bytes(_unb32(stamp), "big"), dt.UTC),
            serial=int.from_bytes(_unb32(serial), "big"),
            digest=_unb32(digest),
            signature=_unb32(signature),
        )
    except (ValueError, OverflowError) as exc:
        raise ValueError("not a Tongban verification payload") from exc


def verify_qr_payload(
    text: str,
    rows: Rows,
    unit_cert: bytes | x509.Certificate,
    trust_roots: CertInput,
    *,
    intermediates: CertInput = (),
    crl: CrlInput = None,
    backend: SigningBackend = DEFAULT_BACKEND,
) -> QrVerification:
    """Check a scanned payload against the printed ``rows``, offline.

    Needs the unit's certificate (the verifier app keeps the site's unit
    certificates, looked up by the serial in the payload), the issuing CA
    certificate(s) and the root.  ``status`` is "altered" when the payload
    or the printed rows were changed (``data_matches`` tells which),
    "unknown_signer" when the certificate is not the one named in the
    payload or does not chain to the root, "revoked" per the CRL.
    """
    try:
        payload = parse_qr_payload(text)
    except ValueError:
        return QrVerification("altered", "QR code is not a valid verification code")
    cert = load_cert(unit_cert)
    common = {"signed_at": payload.signed_at, "code": payload.code}
    if cert.serial_number != payload.serial:
        return QrVerification.for_cert(
            "unknown_signer", "QR code was signed with a different certificate", None, **common
        )
    if not backend.verify(cert.public_key(), payload.signature, payload.message()):
        return QrVerification.for_cert("altered", "QR signature is invalid", cert, **common)
    matches = rows_digest(rows)[:_DIGEST_LEN] == payload.digest
    if not matches:
        return QrVerification.for_cert(
            "altered",
            "Printed data does not match the signed data",
            cert,
            data_matches=False,
            **common,
        )
    try:
        path = build_chain(
            cert, load_certs(intermediates), load_certs(trust_roots), at=payload.signed_at
        )
    except ChainError as exc:
        return QrVerification.for_cert(
            "unknown_signer", exc.args[0], cert, data_matches=True, **common
        )
    revoked_at = revocation_time(cert, path[1], load_crls(crl))
    if revoked_at is not None:
        return QrVerification.for_cert(
            "revoked",
            "Signing certificate has been revoked",
            cert,
            data_matches=True,
            revoked_at=revoked_at,
            signed_before_revocation=payload.signed_at < revoked_at,
            **common,
        )
    return QrVerification.for_cert("valid", "Signature is valid", cert, data_matches=True, **common)


def qr_png(text: str, *, box_size: int = 4, border: int = 4) -> bytes:
    """Render ``text`` as a black-on-white PNG QR code (error correction M).

    M (15%) survives a crease or a stamp smudge on paper while keeping the
    ~200-character payload at a version a phone reads from arm's length.
    """
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=border)
    code.add_data(text)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    return buf.getvalue()
