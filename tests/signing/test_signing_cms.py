"""Detached CMS: openssl accepts what we sign, and Python verification agrees."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509

from core.signing import ca, cms
from core.signing.verify import verify_detached

from .signing_support import KEK, Pki, flip, run_openssl

CONTENT = "受理回执 #2026-000123\n申请人：张三\n".encode() + bytes(range(256))


@pytest.fixture(scope="module")
def der_sig(pki: Pki) -> bytes:
    return cms.sign_detached(CONTENT, pki.unit, KEK, pki.issuing.cert_pem)


@pytest.fixture(scope="module")
def pem_sig(pki: Pki) -> bytes:
    return cms.sign_detached(CONTENT, pki.unit, KEK, pki.issuing.cert_pem, pem=True)


def _openssl_verify(
    openssl: str, tmp_path: Path, content: bytes, sig: bytes, inform: str, cafile: bytes
) -> bool:
    (tmp_path / "content.bin").write_bytes(content)
    (tmp_path / "sig").write_bytes(sig)
    (tmp_path / "ca.pem").write_bytes(cafile)
    done = run_openssl(
        openssl,
        "cms",
        "-verify",
        "-binary",
        "-inform",
        inform,
        "-in",
        tmp_path / "sig",
        "-content",
        tmp_path / "content.bin",
        "-CAfile",
        tmp_path / "ca.pem",
        "-out",
        tmp_path / "out.bin",
    )
    ok = done.returncode == 0
    if ok:
        assert "Verification successful" in done.stderr
        assert (tmp_path / "out.bin").read_bytes() == content
    return ok


def test_signature_carries_signer_and_issuing_certs(pki: Pki, der_sig: bytes) -> None:
    certs = cms.signature_certificates(der_sig)
    assert {c.serial_number for c in certs} == {pki.unit.serial, pki.issuing.serial}
    signed = cms.load_signed_data(der_sig)
    assert signed["encap_content_info"]["content"].native is None  # detached
    attrs = {a["type"].native for a in signed["signer_infos"][0]["signed_attrs"]}
    assert {"signing_time", "message_digest", "content_type"} <= attrs


def test_openssl_cms_verify_der(pki: Pki, der_sig: bytes, openssl: str, tmp_path: Path) -> None:
    chain = pki.root.cert_pem + pki.issuing.cert_pem
    assert _openssl_verify(openssl, tmp_path, CONTENT, der_sig, "DER", chain)
    # The signature embeds the issuing cert, so the root alone is enough too.
    assert _openssl_verify(openssl, tmp_path, CONTENT, der_sig, "DER", pki.root.cert_pem)


@pytest.mark.parametrize("index", [0, len(CONTENT) // 2, len(CONTENT) - 1])
def test_openssl_cms_rejects_one_flipped_byte(
    pki: Pki, der_sig: bytes, openssl: str, tmp_path: Path, index: int
) -> None:
    chain = pki.root.cert_pem + pki.issuing.cert_pem
    assert not _openssl_verify(openssl, tmp_path, flip(CONTENT, index), der_sig, "DER", chain)


def test_openssl_cms_rejects_other_root(
    pki: Pki, der_sig: bytes, openssl: str, tmp_path: Path
) -> None:
    assert not _openssl_verify(openssl, tmp_path, CONTENT, der_sig, "DER", pki.other_root.cert_pem)


def test_openssl_cms_verify_pem(pki: Pki, pem_sig: bytes, openssl: str, tmp_path: Path) -> None:
    assert pem_sig.startswith(b"-----BEGIN")
    chain = pki.root.cert_pem + pki.issuing.cert_pem
    assert _openssl_verify(openssl, tmp_path, CONTENT, pem_sig, "PEM", chain)
    assert not _openssl_verify(openssl, tmp_path, flip(CONTENT, 3), pem_sig, "PEM", chain)


def test_python_verification(pki: Pki, der_sig: bytes, pem_sig: bytes) -> None:
    for sig in (der_sig, pem_sig):
        result = verify_detached(CONTENT, sig, pki.root.cert_pem)
        assert result.status == "valid", result
        assert result.signer == result.unit == "示例市人力资源和社会保障局"
        assert result.unit_code == "11110000MB0000000X"
        assert result.serial == ca.serial_hex(pki.unit.serial)
        assert result.signed_at is not None
        assert abs(result.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)


def test_python_verification_detects_one_flipped_byte(pki: Pki, der_sig: bytes) -> None:
    for index in (0, 100, len(CONTENT) - 1):
        result = verify_detached(flip(CONTENT, index), der_sig, pki.root.cert_pem)
        assert result.status == "altered", result
    assert verify_detached(CONTENT + b"x", der_sig, pki.root.cert_pem).status == "altered"


def test_python_verification_detects_a_tampered_signature(pki: Pki, der_sig: bytes) -> None:
    # The last bytes of the DER are the ECDSA signature value itself.
    result = verify_detached(CONTENT, flip(der_sig, len(der_sig) - 2), pki.root.cert_pem)
    assert result.status == "altered"
    garbage = verify_detached(CONTENT, b"not a signature", pki.root.cert_pem)
    assert garbage.status == "altered" and garbage.signer is None


def test_python_verification_other_root_is_unknown_signer(pki: Pki, der_sig: bytes) -> None:
    result = verify_detached(CONTENT, der_sig, pki.other_root.cert_pem)
    assert result.status == "unknown_signer"
    forged = cms.sign_detached(CONTENT, pki.other_unit, KEK, pki.other_issuing.cert_pem)
    assert verify_detached(CONTENT, forged, pki.root.cert_pem).status == "unknown_signer"


def test_python_verification_revoked(pki: Pki, der_sig: bytes) -> None:
    signed_at = verify_detached(CONTENT, der_sig, pki.root.cert_pem).signed_at
    assert signed_at is not None
    later = signed_at + dt.timedelta(hours=1)
    crl = ca.build_crl(pki.issuing, KEK, [ca.Revocation(pki.unit.serial, later)], crl_number=3)
    result = verify_detached(CONTENT, der_sig, pki.root.cert_pem, crl)
    assert result.status == "revoked"
    assert result.revoked_at == later
    assert result.signed_before_revocation is True
    # A CRL that does not list the signer changes nothing.
    other = ca.build_crl(pki.issuing, KEK, [ca.Revocation(1, later)], crl_number=4)
    assert verify_detached(CONTENT, der_sig, pki.root.cert_pem, [other]).status == "valid"


def test_forged_crl_is_refused(pki: Pki, der_sig: bytes) -> None:
    # Same issuer name, other key: must not be able to revoke this site's seals.
    forged = ca.build_crl(
        pki.other_issuing,
        KEK,
        [ca.Revocation(pki.unit.serial, dt.datetime.now(dt.UTC))],
        crl_number=1,
    )
    assert x509.load_pem_x509_crl(forged).issuer == pki.issuing.cert.subject
    with pytest.raises(ValueError, match="CRL signature is invalid"):
        verify_detached(CONTENT, der_sig, pki.root.cert_pem, forged)
