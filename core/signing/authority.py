"""The site's certificate authority, kept in the database.

A two-level CA (see :mod:`core.signing.ca`): the root, whose key only the
city admin's passphrase opens, signs the issuing CA; the issuing CA signs
the units' seals, approvers' personal certificates, the system
certificate that signs audit checkpoints, and the CRLs.  Unit seals are
issued on first use, so a unit that never signs never gets a key.

Concurrency: ``Certificate.active_for`` is unique and new certificates are
inserted with ``ON CONFLICT DO NOTHING``, so two workers needing the same
unit's first seal at once end up sharing one, and no statement ever fails
inside a caller's transaction (which would poison it on PostgreSQL).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from core.db import transaction
from core.errors import NotFound, TongbanError
from core.i18n import N_
from core.settings import Settings, get_settings
from core.signing import ca
from core.signing.backend import SigningBackend
from core.signing.keys import backend_named, site_backend, site_kek
from core.signing.tables import Certificate, Crl
from core.tenancy.tables import Staff, Unit

ROOT_PASSPHRASE_FILE = "ca_root_passphrase"
SYSTEM_UNIT_CODE = "SYSTEM-AUDIT"
# A seal is replaced this long before it expires, so no document is signed
# with a certificate about to lapse.
RENEW_BEFORE = dt.timedelta(days=30)
# The published CRL is re-signed once it is this old (it stays valid for 7 days).
CRL_REFRESH = dt.timedelta(days=1)

REVOCATION_REASONS = {
    "unspecified": x509.ReasonFlags.unspecified,
    "key_compromise": x509.ReasonFlags.key_compromise,
    "affiliation_changed": x509.ReasonFlags.affiliation_changed,
    "superseded": x509.ReasonFlags.superseded,
    "cessation_of_operation": x509.ReasonFlags.cessation_of_operation,
}


class CaNotInitialised(TongbanError):
    status_code = 503
    message = N_("The site's certificate authority has not been set up yet (tongban ca init).")


class CaAlreadyInitialised(TongbanError):
    status_code = 409
    message = N_("The site's certificate authority already exists.")


class WrongPassphrase(TongbanError):
    status_code = 403
    message = N_("The root passphrase is wrong.")


class CertificateNotFound(NotFound):
    message = N_("No such certificate.")


class AlreadyRevoked(TongbanError):
    status_code = 409
    message = N_("This certificate is already revoked.")


@dataclass(frozen=True)
class Signer:
    """Everything needed to sign with one stored certificate."""

    pair: ca.CertAndKey
    passphrase: str
    chain: tuple[bytes, ...]  # the issuing CA certificate (PEM)
    backend: SigningBackend
    serial: str


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ca_name(settings: Settings | None = None) -> str:
    """The organisation name written into every certificate of the site."""
    settings = settings or get_settings()
    return str(settings.site.get("site", {}).get("ca_name") or settings.title)


def _row_values(kind: str, pair: ca.CertAndKey, issuer_serial: str, backend: str) -> dict:
    info = ca.cert_info(pair.cert_pem)
    return {
        "kind": kind,
        "serial": info.serial_hex,
        "issuer_serial": issuer_serial,
        "subject": pair.cert.subject.rfc4514_string()[:512],
        "common_name": (info.common_name or "")[:256],
        "backend": backend,
        "cert_pem": pair.cert_pem.decode("ascii"),
        "key_pem": pair.key_pem.decode("ascii"),
        "fingerprint": info.fingerprint_sha256,
        "not_before": info.not_before,
        "not_after": info.not_after,
    }


async def _insert(values: dict, active_for: str | None) -> bool:
    """Insert a certificate row; False if another process took ``active_for`` first."""
    row = Certificate(**values, active_for=active_for)
    done = (
        await Certificate.insert(row)
        .on_conflict(target=Certificate.active_for, action="DO NOTHING")
        .returning(Certificate.id)
    )
    return bool(done)


async def _active(name: str) -> dict | None:
    return await Certificate.select().where(Certificate.active_for == name).first()


def _pair(row: dict) -> ca.CertAndKey:
    return ca.CertAndKey(row["cert_pem"].encode("ascii"), row["key_pem"].encode("ascii"))


async def is_initialised() -> bool:
    return await Certificate.exists().where(Certificate.active_for == "issuing")


# ------------------------------------------------------------------ root / issuing


async def init_ca(passphrase: str) -> dict:
    """Create the root (key under ``passphrase``) and the first issuing CA.

    Returns the root's row.  Refuses if the site already has a CA: a new
    root would orphan every document signed so far.
    """
    if not passphrase:
        raise WrongPassphrase()
    backend = site_backend()
    name = ca_name()
    root = ca.create_root_ca(name, passphrase, backend=backend)
    issuing = ca.create_issuing_ca(root, passphrase, site_kek(), site_name=name, backend=backend)
    root_serial = ca.serial_hex(root.serial)
    async with transaction():
        if not await _insert(_row_values("root", root, "", backend.name), "root"):
            raise CaAlreadyInitialised()
        await _insert(_row_values("issuing", issuing, root_serial, backend.name), "issuing")
    return await _active("root")


async def ensure_demo_ca(settings: Settings | None = None) -> Path | None:
    """On a demo site, create the CA on first start with a passphrase kept in ``var/``.

    Returns the passphrase file when it created the CA, else None.  Real
    sites run ``tongban ca init`` and keep the passphrase off the server.
    """
    settings = settings or get_settings()
    if not settings.demo or await is_initialised():
        return None
    path = settings.var_dir / ROOT_PASSPHRASE_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        passphrase = await _read_when_written(path)
    else:
        passphrase = secrets.token_urlsafe(24)
        with os.fdopen(fd, "w") as fh:
            fh.write(passphrase)
    try:
        await init_ca(passphrase)
    except CaAlreadyInitialised:
        return None  # another process was quicker
    return path


async def _read_when_written(path: Path, wait: float = 5.0) -> str:
    """The passphrase another process is writing at this very moment (it may still be empty)."""
    for _ in range(int(wait / 0.1)):
        text = path.read_text().strip()
        if text:
            return text
        await asyncio.sleep(0.1)
    raise CaNotInitialised()


async def rotate_issuing(passphrase: str) -> dict:
    """Make a new issuing CA with the root key; the old one keeps vouching for what it signed.

    New seals come from the new issuing CA from now on; existing seals stay
    valid until they expire or are revoked (the old issuer keeps publishing
    its CRL for them).
    """
    root = await _active("root")
    old = await _active("issuing")
    if root is None or old is None:
        raise CaNotInitialised()
    try:
        ca.load_private_key(root["key_pem"].encode("ascii"), passphrase)
    except ValueError as exc:
        raise WrongPassphrase() from exc
    backend = site_backend()
    generation = await Certificate.count().where(Certificate.kind == "issuing") + 1
    issuing = ca.create_issuing_ca(
        _pair(root),
        passphrase,
        site_kek(),
        site_name=ca_name(),
        generation=generation,
        backend=backend,
    )
    async with transaction():
        await Certificate.update(
            {Certificate.active_for: None, Certificate.retired_at: _now()}
        ).where(Certificate.id == old["id"])
        await _insert(_row_values("issuing", issuing, root["serial"], backend.name), "issuing")
    return await _active("issuing")


async def _issuer_signer(row: dict) -> Signer:
    return Signer(
        pair=_pair(row),
        passphrase=site_kek(),
        chain=(),
        backend=backend_named(row["backend"]),
        serial=row["serial"],
    )


async def _issuing_row() -> dict:
    row = await _active("issuing")
    if row is None:
        raise CaNotInitialised()
    return row


# ------------------------------------------------------------------ leaf certificates


async def _signer_for(row: dict) -> Signer:
    issuer = (
        await Certificate.select(Certificate.cert_pem)
        .where(Certificate.serial == row["issuer_serial"])
        .first()
    )
    return Signer(
        pair=_pair(row),
        passphrase=site_kek(),
        chain=(issuer["cert_pem"].encode("ascii"),) if issuer else (),
        backend=backend_named(row["backend"]),
        serial=row["serial"],
    )


def _usable(row: dict | None) -> bool:
    return bool(row) and row["revoked_at"] is None and row["not_after"] - RENEW_BEFORE > _now()


async def _issue(active_for: str, kind: str, make, *, unit_id=None, staff_id=None) -> dict:
    """Issue a certificate for ``active_for``, retiring the current one; return the new row."""
    issuing = await _issuing_row()
    backend = site_backend()
    pair: ca.CertAndKey = make(_pair(issuing), backend)
    values = _row_values(kind, pair, issuing["serial"], backend.name)
    values.update(unit=unit_id, staff=staff_id)
    async with transaction():
        await Certificate.update(
            {Certificate.active_for: None, Certificate.retired_at: _now()}
        ).where(Certificate.active_for == active_for)
        await _insert(values, active_for)
    row = await _active(active_for)
    assert row is not None
    return row


async def _unit(unit_id: int) -> dict:
    unit = await Unit.select(Unit.id, Unit.code, Unit.name).where(Unit.id == unit_id).first()
    if unit is None:
        raise NotFound()
    return unit


async def issue_unit_certificate(unit_id: int) -> dict:
    """Issue (or rotate) a unit's seal; the previous seal stays valid for what it signed."""
    unit = await _unit(unit_id)

    def make(issuing: ca.CertAndKey, backend: SigningBackend) -> ca.CertAndKey:
        return ca.issue_unit_cert(
            issuing,
            site_kek(),
            site_kek(),
            site_name=ca_name(),
            unit_name=unit["name"],
            unit_code=unit["code"],
            backend=backend,
        )

    return await _issue(f"unit:{unit_id}", "unit", make, unit_id=unit_id)


async def unit_signer(unit_id: int) -> Signer:
    """The unit's current seal, issued on first use or when it is revoked or about to expire."""
    row = await _active(f"unit:{unit_id}")
    if not _usable(row):
        row = await issue_unit_certificate(unit_id)
    return await _signer_for(row)


async def issue_person_certificate(staff_id: int, unit_id: int) -> dict:
    """Issue (or rotate) an approver's personal certificate for signing at ``unit_id``."""
    unit = await _unit(unit_id)
    staff = (
        await Staff.select(Staff.id, Staff.username, Staff.display_name)
        .where(Staff.id == staff_id)
        .first()
    )
    if staff is None:
        raise NotFound()

    def make(issuing: ca.CertAndKey, backend: SigningBackend) -> ca.CertAndKey:
        return ca.issue_person_cert(
            issuing,
            site_kek(),
            site_kek(),
            site_name=ca_name(),
            unit_name=unit["name"],
            unit_code=unit["code"],
            person_name=staff["display_name"],
            person_id=f"staff-{staff_id}",
            backend=backend,
        )

    return await _issue(f"person:{staff_id}", "person", make, unit_id=unit_id, staff_id=staff_id)


async def person_signer(staff_id: int) -> Signer | None:
    """An approver's personal certificate, if an admin issued one (it is optional)."""
    row = await _active(f"person:{staff_id}")
    return await _signer_for(row) if _usable(row) else None


async def system_signer() -> Signer:
    """The certificate that signs the site's own statements (audit checkpoints)."""
    row = await _active("system")
    if not _usable(row):
        name = ca_name()

        def make(issuing: ca.CertAndKey, backend: SigningBackend) -> ca.CertAndKey:
            return ca.issue_unit_cert(
                issuing,
                site_kek(),
                site_kek(),
                site_name=name,
                unit_name=f"{name} 日志存证",
                unit_code=SYSTEM_UNIT_CODE,
                backend=backend,
            )

        row = await _issue("system", "system", make)
    return await _signer_for(row)


# ------------------------------------------------------------------ revocation and CRLs


async def revoke(serial: str, reason: str = "unspecified") -> dict:
    """Revoke a leaf certificate now and publish its issuer's new CRL at once."""
    if reason not in REVOCATION_REASONS:
        reason = "unspecified"
    row = await Certificate.select().where(Certificate.serial == serial.lower().strip()).first()
    if row is None or row["kind"] in ("root", "issuing"):
        raise CertificateNotFound()
    if row["revoked_at"] is not None:
        raise AlreadyRevoked()
    async with transaction():
        await Certificate.update(
            {
                Certificate.revoked_at: _now().replace(microsecond=0),
                Certificate.revocation_reason: reason,
                Certificate.active_for: None,
            }
        ).where(Certificate.id == row["id"])
        await publish_crl(row["issuer_serial"])
    return await Certificate.select().where(Certificate.id == row["id"]).first()


async def retire(serial: str) -> dict:
    """Stop using a seal or personal certificate without revoking it.

    For an approver who moved on: what they signed stays valid, nothing new
    is signed with it (a unit's next document gets a fresh seal).
    """
    row = await Certificate.select().where(Certificate.serial == serial.lower().strip()).first()
    if row is None or row["kind"] in ("root", "issuing"):
        raise CertificateNotFound()
    await Certificate.update({Certificate.active_for: None, Certificate.retired_at: _now()}).where(
        (Certificate.id == row["id"]) & Certificate.active_for.is_not_null()
    )
    return await Certificate.select().where(Certificate.id == row["id"]).first()


async def publish_crl(issuer_serial: str) -> bytes:
    """Sign and store a new CRL for one issuing CA, numbered one past its last."""
    issuer = await Certificate.select().where(Certificate.serial == issuer_serial).first()
    if issuer is None:
        raise CaNotInitialised()
    revoked = await Certificate.select(
        Certificate.serial, Certificate.revoked_at, Certificate.revocation_reason
    ).where((Certificate.issuer_serial == issuer_serial) & Certificate.revoked_at.is_not_null())
    last = (
        await Crl.select(Crl.number)
        .where(Crl.issuer_serial == issuer_serial)
        .order_by(Crl.number, ascending=False)
        .first()
    )
    number = (last["number"] if last else 0) + 1
    signer = await _issuer_signer(issuer)
    now = _now().replace(microsecond=0)
    pem = ca.build_crl(
        signer.pair,
        signer.passphrase,
        [
            ca.Revocation(
                int(r["serial"], 16),
                r["revoked_at"],
                REVOCATION_REASONS[r["revocation_reason"] or "unspecified"],
            )
            for r in revoked
        ],
        crl_number=number,
        this_update=now,
        backend=signer.backend,
    )
    crl = x509.load_pem_x509_crl(pem)
    await Crl.insert(
        Crl(
            crl_key=f"{issuer_serial}:{number}",
            issuer_serial=issuer_serial,
            number=number,
            crl_pem=pem.decode("ascii"),
            this_update=crl.last_update_utc,
            next_update=crl.next_update_utc,
        )
    ).on_conflict(target=Crl.crl_key, action="DO NOTHING")
    return pem


async def current_crls() -> list[bytes]:
    """The newest CRL of every issuing CA the site ever had, re-signed when a day old."""
    issuers = await Certificate.select(Certificate.serial).where(Certificate.kind == "issuing")
    crls: list[bytes] = []
    for issuer in issuers:
        latest = (
            await Crl.select(Crl.crl_pem, Crl.this_update)
            .where(Crl.issuer_serial == issuer["serial"])
            .order_by(Crl.number, ascending=False)
            .first()
        )
        if latest is None or latest["this_update"] + CRL_REFRESH < _now():
            crls.append(await publish_crl(issuer["serial"]))
        else:
            crls.append(latest["crl_pem"].encode("ascii"))
    return crls


# ------------------------------------------------------------------ what verifiers need


async def root_pem() -> bytes:
    row = await _active("root")
    if row is None:
        raise CaNotInitialised()
    return row["cert_pem"].encode("ascii")


async def issuing_pems() -> list[bytes]:
    rows = await Certificate.select(Certificate.cert_pem).where(Certificate.kind == "issuing")
    return [r["cert_pem"].encode("ascii") for r in rows]


async def leaf_pems() -> list[bytes]:
    """Every seal and personal certificate ever issued: an offline QR verifier's keyring."""
    rows = (
        await Certificate.select(Certificate.cert_pem)
        .where(Certificate.kind.is_in(["unit", "person", "system"]))
        .order_by(Certificate.id)
    )
    return [r["cert_pem"].encode("ascii") for r in rows]


async def certificate_by_serial(serial: str) -> dict | None:
    return await Certificate.select().where(Certificate.serial == serial).first()


async def certificates() -> list[dict]:
    """All certificates with their unit and holder names, newest first (the admin page)."""
    return await Certificate.select(
        Certificate.id,
        Certificate.kind,
        Certificate.serial,
        Certificate.common_name,
        Certificate.not_before,
        Certificate.not_after,
        Certificate.active_for,
        Certificate.retired_at,
        Certificate.revoked_at,
        Certificate.revocation_reason,
        Certificate.unit.code,
        Certificate.unit.name,
        Certificate.staff.username,
    ).order_by(Certificate.id, ascending=False)
