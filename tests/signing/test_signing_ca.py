"""The site CA: structure of the certificates, encrypted keys, CRLs, and openssl's opinion."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.signing import ca

from .signing_support import KEK, ROOT_PASS, SITE, UNIT_CODE, UNIT_NAME, Pki, run_openssl


def _ext(cert: x509.Certificate, cls: type) -> x509.ExtensionType:
    return cert.extensions.get_extension_for_class(cls).value


def test_root_is_self_signed_ca(pki: Pki) -> None:
    root = pki.root.cert
    assert root.subject == root.issuer
    root.verify_directly_issued_by(root)
    bc = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca and bc.value.path_length == 1
    ku = _ext(root, x509.KeyUsage)
    assert ku.key_cert_sign and ku.crl_sign and not ku.digital_signature
    assert isinstance(root.public_key(), ec.EllipticCurvePublicKey)


def test_issuing_ca_is_signed_by_root(pki: Pki) -> None:
    issuing, root = pki.issuing.cert, pki.root.cert
    issuing.verify_directly_issued_by(root)
    assert _ext(issuing, x509.BasicConstraints).path_length == 0
    aki = _ext(issuing, x509.AuthorityKeyIdentifier)
    assert aki.key_identifier == _ext(root, x509.SubjectKeyIdentifier).digest


def test_unit_certificate_subject_and_extensions(pki: Pki) -> None:
    cert = pki.unit.cert
    cert.verify_directly_issued_by(pki.issuing.cert)
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == SITE
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == UNIT_NAME
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == UNIT_NAME
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == UNIT_CODE
    assert not _ext(cert, x509.BasicConstraints).ca
    ku = _ext(cert, x509.KeyUsage)
    assert ku.digital_signature and ku.content_commitment and not ku.key_cert_sign
    eku = _ext(cert, x509.ExtendedKeyUsage)
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in eku
    assert ca.DOCUMENT_SIGNING_EKU in eku


def test_person_certificate(pki: Pki) -> None:
    info = ca.cert_info(pki.person.cert_pem)
    assert info.common_name == "李审批"
    assert info.unit_name == UNIT_NAME
    assert info.unit_code == UNIT_CODE
    assert info.person_id == "staff-42"
    assert not info.is_ca


def test_cert_info(pki: Pki) -> None:
    info = ca.cert_info(pki.unit.cert_pem)
    assert info.serial == pki.unit.serial
    assert int(info.serial_hex, 16) == info.serial and len(info.serial_hex) % 2 == 0
    assert info.not_before < dt.datetime.now(dt.UTC) < info.not_after
    assert len(info.fingerprint_sha256) == 64
    assert ca.cert_info(pki.root.cert_pem).is_ca


def test_private_keys_are_encrypted(pki: Pki) -> None:
    for item in (pki.root, pki.issuing, pki.unit, pki.person):
        assert item.key_pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError):  # cryptography: encrypted key needs a password
            serialization.load_pem_private_key(item.key_pem, password=None)
    with pytest.raises(ValueError, match="wrong passphrase"):
        ca.load_private_key(pki.root.key_pem, KEK)
    key = ca.load_private_key(pki.root.key_pem, ROOT_PASS)
    assert key.public_key() == pki.root.cert.public_key()


def test_unencrypted_and_empty_passphrases_are_refused(pki: Pki) -> None:
    plain = ca.load_private_key(pki.unit.key_pem, KEK).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(ValueError, match="not encrypted"):
        ca.load_private_key(plain, KEK)
    with pytest.raises(ValueError, match="empty"):
        ca.create_root_ca(SITE, "")


def test_reencrypt_private_key(pki: Pki) -> None:
    moved = ca.reencrypt_private_key(pki.root.key_pem, ROOT_PASS, "new admin")
    assert moved != pki.root.key_pem
    with pytest.raises(ValueError):
        ca.load_private_key(moved, ROOT_PASS)
    assert ca.load_private_key(moved, "new admin").public_key() == pki.root.cert.public_key()


def test_issuing_needs_the_right_passphrases(pki: Pki) -> None:
    with pytest.raises(ValueError):
        ca.create_issuing_ca(pki.root, "guess", KEK, site_name=SITE)
    with pytest.raises(ValueError):
        ca.issue_unit_cert(
            pki.issuing, ROOT_PASS, KEK, site_name=SITE, unit_name="x", unit_code="1"
        )


def test_rotation_issues_a_new_key_and_serial(pki: Pki) -> None:
    rotated = ca.issue_unit_cert(
        pki.issuing, KEK, KEK, site_name=SITE, unit_name=UNIT_NAME, unit_code=UNIT_CODE
    )
    assert rotated.serial != pki.unit.serial
    assert rotated.cert.public_key() != pki.unit.cert.public_key()
    assert rotated.cert.subject == pki.unit.cert.subject


def test_crl_lists_revoked_serials_with_times(pki: Pki) -> None:
    when = dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.UTC)
    crl_pem = ca.build_crl(
        pki.issuing,
        KEK,
        [
            ca.Revocation(pki.unit.serial, when, x509.ReasonFlags.key_compromise),
            ca.Revocation(12345, when + dt.timedelta(days=1)),
        ],
        crl_number=7,
    )
    crl = ca.load_crl(crl_pem)
    assert crl.issuer == pki.issuing.cert.subject
    assert crl.is_signature_valid(pki.issuing.cert.public_key())
    assert not crl.is_signature_valid(pki.root.cert.public_key())
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 7
    assert ca.revoked_serials(crl_pem) == {
        pki.unit.serial: when,
        12345: when + dt.timedelta(days=1),
    }
    entry = crl.get_revoked_certificate_by_serial_number(pki.unit.serial)
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason == (
        x509.ReasonFlags.key_compromise
    )
    der = crl.public_bytes(serialization.Encoding.DER)
    assert ca.revoked_serials(der) == ca.revoked_serials(crl_pem)


def test_openssl_verifies_the_chain_and_honours_the_crl(
    pki: Pki, openssl: str, tmp_path: Path
) -> None:
    (tmp_path / "root.pem").write_bytes(pki.root.cert_pem)
    (tmp_path / "issuing.pem").write_bytes(pki.issuing.cert_pem)
    (tmp_path / "unit.pem").write_bytes(pki.unit.cert_pem)
    (tmp_path / "person.pem").write_bytes(pki.person.cert_pem)
    (tmp_path / "other.pem").write_bytes(pki.other_unit.cert_pem)
    base = ["verify", "-CAfile", tmp_path / "root.pem", "-untrusted", tmp_path / "issuing.pem"]
    for leaf in ("unit.pem", "person.pem"):
        for purpose in ("any", "smimesign"):
            done = run_openssl(openssl, *base, "-purpose", purpose, tmp_path / leaf)
            assert done.returncode == 0, done.stdout + done.stderr
    done = run_openssl(openssl, *base, tmp_path / "other.pem")
    assert done.returncode != 0

    (tmp_path / "empty.crl").write_bytes(ca.build_crl(pki.issuing, KEK, [], crl_number=1))
    (tmp_path / "unit.crl").write_bytes(
        ca.build_crl(
            pki.issuing,
            KEK,
            [ca.Revocation(pki.unit.serial, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))],
            crl_number=2,
        )
    )
    for crl_name, expect_ok in (("empty.crl", True), ("unit.crl", False)):
        done = run_openssl(
            openssl, *base, "-crl_check", "-CRLfile", tmp_path / crl_name, tmp_path / "unit.pem"
        )
        assert (done.returncode == 0) is expect_ok, done.stdout + done.stderr
        if not expect_ok:
            assert "revoked" in done.stdout + done.stderr
