"""The offline QR payload: compact, signed, and honest about the printed rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image
from qrcode.util import MODE_ALPHA_NUM, MODE_NUMBER, optimal_data_chunks

from core.signing import ca, qr

from .signing_support import CODE, KEK, ROWS, UNIT_CODE, UNIT_NAME, Pki


@pytest.fixture(scope="module")
def payload(pki: Pki) -> str:
    return qr.make_qr_payload(CODE, ROWS, pki.unit, KEK)


def _check(pki: Pki, text: str, rows=ROWS, **kwargs) -> qr.QrVerification:  # noqa: ANN001
    kwargs.setdefault("intermediates", pki.issuing.cert_pem)
    return qr.verify_qr_payload(text, rows, pki.unit.cert_pem, pki.root.cert_pem, **kwargs)


def test_payload_is_compact_and_alphanumeric(payload: str) -> None:
    assert payload.startswith("TB1." + CODE + ".")
    assert len(payload) < 220
    # Upper-case base32 keeps the payload in the dense QR modes, never 8-bit bytes.
    assert {chunk.mode for chunk in optimal_data_chunks(payload)} <= {MODE_ALPHA_NUM, MODE_NUMBER}


def test_parse(pki: Pki, payload: str) -> None:
    parsed = qr.parse_qr_payload(payload)
    assert parsed.code == CODE
    assert parsed.serial == pki.unit.serial
    assert parsed.digest == qr.rows_digest(ROWS)[:16]
    assert len(parsed.signature) == 64
    assert abs(parsed.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
    for bad in ("", "hello", "TB1.X.Y", payload.replace("TB1.", "TB2."), payload + "!"):
        with pytest.raises(ValueError):
            qr.parse_qr_payload(bad)


def test_valid(pki: Pki, payload: str) -> None:
    result = _check(pki, payload)
    assert result.status == "valid" and result.ok, result
    assert result.data_matches is True
    assert result.code == CODE
    assert result.signer == result.unit == UNIT_NAME
    assert result.unit_code == UNIT_CODE
    assert result.serial == ca.serial_hex(pki.unit.serial)


def test_url_prefix(pki: Pki) -> None:
    text = qr.make_qr_payload(CODE, ROWS, pki.unit, KEK, url_prefix="HTTPS://GOV.EXAMPLE/V/")
    assert text.startswith("HTTPS://GOV.EXAMPLE/V/TB1.")
    assert _check(pki, text).status == "valid"
    assert {chunk.mode for chunk in optimal_data_chunks(text)} <= {MODE_ALPHA_NUM, MODE_NUMBER}


def test_rows_are_canonicalised_but_order_and_content_matter() -> None:
    assert qr.rows_digest([("姓名", " 张三 ")]) == qr.rows_digest([("姓名", "张三")])
    # NFC: "é" precomposed vs combining accent.
    assert qr.rows_digest([("n", "\u00e9")]) == qr.rows_digest([("n", "e\u0301")])
    assert qr.rows_digest(ROWS) != qr.rows_digest(list(reversed(ROWS)))
    assert qr.rows_digest([("a", "bc")]) != qr.rows_digest([("ab", "c")])


def test_changed_printed_data_is_reported(pki: Pki, payload: str) -> None:
    changed = [*ROWS[:-1], ("办理结果", "不予登记")]
    result = _check(pki, payload, rows=changed)
    assert result.status == "altered"
    assert result.data_matches is False
    assert result.reason == "Printed data does not match the signed data"
    assert result.signer == UNIT_NAME  # the seal itself is genuine


@pytest.mark.parametrize("part", [1, 2, 3, 4, 5])
def test_tampered_payload_is_altered(pki: Pki, payload: str, part: int) -> None:
    pieces = payload.split(".")
    # Change one character of one field (code, time, serial, digest, signature).
    old = pieces[part][0]
    pieces[part] = ("B" if old != "B" else "C") + pieces[part][1:]
    result = _check(pki, ".".join(pieces))
    assert result.status in {"altered", "unknown_signer"}, result
    assert not result.ok
    if part == 3:  # the serial now names another certificate
        assert result.status == "unknown_signer"
    else:
        assert result.status == "altered"


def test_wrong_certificate_or_root(pki: Pki, payload: str) -> None:
    other = qr.verify_qr_payload(payload, ROWS, pki.person.cert_pem, pki.root.cert_pem)
    assert other.status == "unknown_signer"
    forged = qr.make_qr_payload(CODE, ROWS, pki.other_unit, KEK)
    result = qr.verify_qr_payload(
        forged,
        ROWS,
        pki.other_unit.cert_pem,
        pki.root.cert_pem,
        intermediates=[pki.issuing.cert_pem, pki.other_issuing.cert_pem],
    )
    assert result.status == "unknown_signer", result
    assert result.data_matches is True
    # Without the issuing CA certificate the chain cannot be built.
    assert (
        qr.verify_qr_payload(payload, ROWS, pki.unit.cert_pem, pki.root.cert_pem).status
        == "unknown_signer"
    )


def test_revoked(pki: Pki, payload: str) -> None:
    signed_at = qr.parse_qr_payload(payload).signed_at
    crl = ca.build_crl(
        pki.issuing,
        KEK,
        [ca.Revocation(pki.unit.serial, signed_at + dt.timedelta(hours=2))],
        crl_number=20,
    )
    result = _check(pki, payload, crl=crl)
    assert result.status == "revoked"
    assert result.signed_before_revocation is True
    assert result.revoked_at == signed_at + dt.timedelta(hours=2)


def test_signed_time_outside_certificate_validity_is_unknown_signer(pki: Pki) -> None:
    long_ago = dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
    text = qr.make_qr_payload(CODE, ROWS, pki.unit, KEK, signed_at=long_ago)
    result = _check(pki, text)
    assert result.status == "unknown_signer"
    assert result.reason == "certificate is not valid at that time"


def test_code_format_is_enforced(pki: Pki) -> None:
    for bad in ("", "lower", "A.B", "X" * 65):
        with pytest.raises(ValueError):
            qr.make_qr_payload(bad, ROWS, pki.unit, KEK)


def test_png(payload: str) -> None:
    png = qr.qr_png(payload)
    assert png.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png))
    assert image.width == image.height >= 100
    colours = {c for _, c in image.convert("L").getcolors()}
    assert colours == {0, 255}


def test_result_is_a_verification() -> None:
    fields = {f.name for f in dataclasses.fields(qr.QrVerification)}
    assert {"status", "reason", "signer", "unit", "signed_at", "data_matches"} <= fields
