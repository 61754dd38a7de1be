"""The site's own certificate authority: root, issuing CA, unit and person certs, CRLs.

Each site runs a two-level CA.  The root's key is encrypted with a
passphrase only the city admin holds and is needed only to (re)issue the
issuing CA, so day-to-day signing never touches it.  The issuing CA signs
the units' seal certificates and approvers' certificates and the CRL.

Everything here is a pure function over PEM bytes: private keys go in and
come out only as passphrase-encrypted PKCS#8 PEM, so that the storage
layer can keep them in a table as they are.  The extensions are chosen so
that ``openssl verify`` and ``openssl cms -verify`` (purpose smimesign)
accept the chain as well as pyHanko does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    PrivateKeyTypes,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

from .backend import DEFAULT_BACKEND, SigningBackend

__all__ = [
    "DOCUMENT_SIGNING_EKU",
    "CertAndKey",
    "CertInfo",
    "CertInput",
    "CrlInput",
    "Passphrase",
    "Revocation",
    "build_crl",
    "cert_info",
    "create_issuing_ca",
    "create_root_ca",
    "issue_person_cert",
    "issue_unit_cert",
    "load_cert",
    "load_certs",
    "load_crl",
    "load_crls",
    "load_private_key",
    "reencrypt_private_key",
    "revoked_serials",
    "serial_hex",
]

Passphrase = str | bytes
#: One certificate (PEM bundle or DER bytes, or loaded) or a sequence of them.
CertInput = bytes | x509.Certificate | Sequence[bytes | x509.Certificate]
#: One CRL (PEM or DER bytes, or loaded), a sequence of them, or None.
CrlInput = (
    bytes | x509.CertificateRevocationList | Sequence[bytes | x509.CertificateRevocationList] | None
)

#: id-kp-documentSigning (RFC 9336): says what the leaf certificates are for.
DOCUMENT_SIGNING_EKU = ObjectIdentifier("1.3.6.1.5.5.7.3.36")

# Certificates are back-dated a little so that a verifier whose clock runs
# slightly behind does not reject a certificate issued a moment ago.
_CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class CertAndKey:
    """A certificate (PEM) with its private key (encrypted PKCS#8 PEM)."""

    cert_pem: bytes
    key_pem: bytes

    @property
    def cert(self) -> x509.Certificate:
        return load_cert(self.cert_pem)

    @property
    def serial(self) -> int:
        return self.cert.serial_number


@dataclass(frozen=True)
class CertInfo:
    """What the storage and web layers want to index and show about a certificate."""

    serial: int
    serial_hex: str
    common_name: str | None
    organization: str | None
    unit_name: str | None
    unit_code: str | None
    person_id: str | None
    not_before: dt.datetime
    not_after: dt.datetime
    is_ca: bool
    fingerprint_sha256: str


@dataclass(frozen=True)
class Revocation:
    """One revoked certificate: its serial and when it stopped being trustworthy."""

    serial: int
    revoked_at: dt.datetime
    reason: x509.ReasonFlags | None = None


# --------------------------------------------------------------------------- keys


def _pw(passphrase: Passphrase) -> bytes:
    data = passphrase.encode("utf-8") if isinstance(passphrase, str) else bytes(passphrase)
    if not data:
        raise ValueError("a key passphrase must not be empty")
    return data


def _encrypt_key(key: PrivateKeyTypes, passphrase: Passphrase) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_pw(passphrase)),
    )


def load_private_key(key_pem: bytes, passphrase: Passphrase) -> CertificateIssuerPrivateKeyTypes:
    """Decrypt an encrypted PKCS#8 PEM key; unencrypted keys are refused on purpose."""
    try:
        key = serialization.load_pem_private_key(key_pem, password=_pw(passphrase))
    except TypeError as exc:  # "Password was given but private key is not encrypted"
        raise ValueError("private key is not encrypted") from exc
    except ValueError as exc:
        raise ValueError("cannot decrypt private key (wrong passphrase?)") from exc
    return key  # type: ignore[return-value]


def reencrypt_private_key(key_pem: bytes, old: Passphrase, new: Passphrase) -> bytes:
    """Change a key's passphrase, e.g. when the city admin hands the root over."""
    return _encrypt_key(load_private_key(key_pem, old), new)


# -------------------------------------------------------------------- certificates


def load_cert(data: bytes | x509.Certificate) -> x509.Certificate:
    """Load one certificate from PEM or DER (a Certificate passes through)."""
    if isinstance(data, x509.Certificate):
        return data
    if data.lstrip().startswith(b"-----"):
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_certs(data: CertInput) -> list[x509.Certificate]:
    """Load a PEM bundle, a single PEM/DER certificate or a list of them."""
    if isinstance(data, x509.Certificate):
        return [data]
    if isinstance(data, bytes | bytearray):
        if data.lstrip().startswith(b"-----"):
            return x509.load_pem_x509_certificates(bytes(data))
        return [x509.load_der_x509_certificate(bytes(data))]
    return [c for item in data for c in load_certs(item)]


def serial_hex(serial: int) -> str:
    """Serial as lower-case hex, the form stored and printed everywhere."""
    text = f"{serial:x}"
    return text if len(text) % 2 == 0 else "0" + text


def _attr(name: x509.Name, oid: ObjectIdentifier) -> str | None:
    values = name.get_attributes_for_oid(oid)
    if not values:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def cert_info(data: bytes | x509.Certificate) -> CertInfo:
    """Summarise a certificate for storage and display."""
    cert = load_cert(data)
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    subject = cert.subject
    return CertInfo(
        serial=cert.serial_number,
        serial_hex=serial_hex(cert.serial_number),
        common_name=_attr(subject, NameOID.COMMON_NAME),
        organization=_attr(subject, NameOID.ORGANIZATION_NAME),
        unit_name=_attr(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        unit_code=_attr(subject, NameOID.SERIAL_NUMBER),
        person_id=_attr(subject, NameOID.USER_ID),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        is_ca=is_ca,
        fingerprint_sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )


def _utc(moment: dt.datetime) -> dt.datetime:
    """Aware UTC datetime; a naive one is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: object,
    days: int,
    now: dt.datetime | None,
) -> x509.CertificateBuilder:
    start = (now or _now()) - _CLOCK_SKEW
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)  # type: ignore[arg-type]
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + _CLOCK_SKEW + dt.timedelta(days=days))
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(public_key),  # type: ignore[arg-type]
            critical=False,
        )
    )


def _ca_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=False,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _aki(issuer_cert: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def create_root_ca(
    site_name: str,
    passphrase: Passphrase,
    *,
    validity_days: int = 20 * 365,
    backend: SigningBackend = DEFAULT_BACKEND,
    now: dt.datetime | None = None,
) -> CertAndKey:
    """Create the site's self-signed root; its key is encrypted with the admin's passphrase.

    The path length is 1: the root signs only issuing CAs, which sign only
    end-entity certificates.
    """
    key = backend.generate_private_key()
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, site_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{site_name} Root CA"),
        ]
    )
    public = key.public_key()
    cert = (
        _builder(name, name, public, validity_days, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(public),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(key, backend.hash_algorithm())
    )
    return CertAndKey(cert.public_bytes(serialization.Encoding.PEM), _encrypt_key(key, passphrase))


def create_issuing_ca(
    root: CertAndKey,
    root_passphrase: Passphrase,
    key_passphrase: Passphrase,
    *,
    site_name: str,
    generation: int = 1,
    validity_days: int = 10 * 365,
    backend: SigningBackend = DEFAULT_BACKEND,
    now: dt.datetime | None = None,
) -> CertAndKey:
    """Create the issuing (intermediate) CA, signed by the root.

    ``root_passphrase`` unlocks the root key for this one operation;
    ``key_passphrase`` (the site's key-encryption secret) protects the new key.
    ``generation`` numbers rotated issuing CAs in their name (2, 3, …), so
    that each has a distinct subject and CRLs are never attributed to the
    wrong one.
    """
    root_cert = root.cert
    root_key = load_private_key(root.key_pem, root_passphrase)
    key = backend.generate_private_key()
    suffix = f" {generation}" if generation > 1 else ""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, site_name),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{site_name} Issuing CA{suffix}"),
        ]
    )
    cert = (
        _builder(name, root_cert.subject, key.public_key(), validity_days, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_ca_key_usage(), critical=True)
        .add_extension(_aki(root_cert), critical=False)
        .sign(root_key, backend.hash_algorithm())
    )
    return CertAndKey(
        cert.public_bytes(serialization.Encoding.PEM), _encrypt_key(key, key_passphrase)
    )


def _issue_leaf(
    issuing: CertAndKey,
    issuing_passphrase: Passphrase,
    key_passphrase: Passphrase,
    subject: x509.Name,
    validity_days: int,
    backend: SigningBackend,
    now: dt.datetime | None,
) -> CertAndKey:
    issuer_cert = issuing.cert
    issuer_key = load_private_key(issuing.key_pem, issuing_passphrase)
    key = backend.generate_private_key()
    cert = (
        _builder(subject, issuer_cert.subject, key.public_key(), validity_days, now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation: these are official seals
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # emailProtection is what `openssl cms -verify` (purpose smimesign)
        # demands of a leaf that has an EKU at all; documentSigning says
        # what the certificate is really for.
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING_EKU]),
            critical=False,
        )
        .add_extension(_aki(issuer_cert), critical=False)
        .sign(issuer_key, backend.hash_algorithm())
    )
    return CertAndKey(
        cert.public_bytes(serialization.Encoding.PEM), _encrypt_key(key, key_passphrase)
    )


def issue_unit_cert(
    issuing: CertAndKey,
    issuing_passphrase: Passphrase,
    key_passphrase: Passphrase,
    *,
    site_name: str,
    unit_name: str,
    unit_code: str,
    validity_days: int = 3 * 365,
    backend: SigningBackend = DEFAULT_BACKEND,
    now: dt.datetime | None = None,
) -> CertAndKey:
    """Issue a unit's seal certificate (O=site, OU=CN=unit name, serialNumber=unit code).

    Rotation is simply calling this again: a new key and serial for the same
    unit; the old certificate stays valid for what it already signed unless
    it is put on the CRL.
    """
    if not unit_code:
        raise ValueError("unit_code is required")
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, site_name),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit_name),
            x509.NameAttribute(NameOID.COMMON_NAME, unit_name),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, unit_code),
        ]
    )
    return _issue_leaf(
        issuing, issuing_passphrase, key_passphrase, subject, validity_days, backend, now
    )


def issue_person_cert(
    issuing: CertAndKey,
    issuing_passphrase: Passphrase,
    key_passphrase: Passphrase,
    *,
    site_name: str,
    unit_name: str,
    unit_code: str,
    person_name: str,
    person_id: str | None = None,
    validity_days: int = 2 * 365,
    backend: SigningBackend = DEFAULT_BACKEND,
    now: dt.datetime | None = None,
) -> CertAndKey:
    """Issue an approver's personal certificate (CN=person, OU/serialNumber = their unit).

    ``person_id`` (the staff account id, never an ID-card number) goes in a
    UID attribute so that the signature can be traced to an account.
    """
    attrs = [
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, site_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit_name),
        x509.NameAttribute(NameOID.COMMON_NAME, person_name),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, unit_code),
    ]
    if person_id:
        attrs.append(x509.NameAttribute(NameOID.USER_ID, person_id))
    return _issue_leaf(
        issuing, issuing_passphrase, key_passphrase, x509.Name(attrs), validity_days, backend, now
    )


# ---------------------------------------------------------------------------- CRL


def build_crl(
    issuing: CertAndKey,
    issuing_passphrase: Passphrase,
    revocations: Iterable[Revocation],
    *,
    crl_number: int,
    this_update: dt.datetime | None = None,
    valid_for: dt.timedelta = dt.timedelta(days=7),
    backend: SigningBackend = DEFAULT_BACKEND,
) -> bytes:
    """Sign a CRL (PEM) listing every revoked serial with its revocation time.

    ``crl_number`` must grow with each CRL the site publishes (RFC 5280
    5.2.3); the storage layer keeps the counter.
    """
    issuer_cert = issuing.cert
    issuer_key = load_private_key(issuing.key_pem, issuing_passphrase)
    start = this_update or _now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer_cert.subject)
        .last_update(start)
        .next_update(start + valid_for)
        .add_extension(x509.CRLNumber(crl_number), critical=False)
        .add_extension(_aki(issuer_cert), critical=False)
    )
    for rev in revocations:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(rev.serial)
            .revocation_date(_utc(rev.revoked_at).replace(microsecond=0))
        )
        if rev.reason is not None and rev.reason != x509.ReasonFlags.unspecified:
            entry = entry.add_extension(x509.CRLReason(rev.reason), critical=False)
        builder = builder.add_revoked_certificate(entry.build())
    crl = builder.sign(issuer_key, backend.hash_algorithm())
    return crl.public_bytes(serialization.Encoding.PEM)


def load_crl(data: bytes | x509.CertificateRevocationList) -> x509.CertificateRevocationList:
    """Load a CRL from PEM or DER (a loaded CRL passes through)."""
    if isinstance(data, x509.CertificateRevocationList):
        return data
    if data.lstrip().startswith(b"-----"):
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def load_crls(data: CrlInput) -> list[x509.CertificateRevocationList]:
    """Load None, one CRL or a sequence of CRLs into a list."""
    if data is None:
        return []
    if isinstance(data, bytes | bytearray | x509.CertificateRevocationList):
        return [load_crl(data)]  # type: ignore[arg-type]
    return [load_crl(item) for item in data]


def revoked_serials(data: bytes | x509.CertificateRevocationList) -> dict[int, dt.datetime]:
    """Map each revoked serial in a CRL to its revocation time (UTC)."""
    return {r.serial_number: r.revocation_date_utc for r in load_crl(data)}
