"""PDF rendering with an embedded CJK font, and PAdES signing checked by pyHanko itself."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.generic import StreamObject
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from core.signing import ca, pdf

from .signing_support import Pki, flip


def _fonts(data: bytes) -> list:
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    fonts = []
    for page_ref in reader.root["/Pages"]["/Kids"]:
        resources = page_ref.get_object()["/Resources"]
        fonts.extend(f.get_object() for f in resources["/Font"].values())
    return fonts


def _descriptor(font):  # pyHanko generic objects are untyped
    if font["/Subtype"] == "/Type0":
        return font["/DescendantFonts"][0]["/FontDescriptor"]
    return font["/FontDescriptor"]


def test_vendored_font_is_found() -> None:
    assert pdf.VENDORED_FONT.is_file()
    assert pdf.find_cjk_font() == pdf.VENDORED_FONT


def test_font_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    explicit = tmp_path / "mine.ttf"
    explicit.write_bytes(b"x")
    assert pdf.find_cjk_font(explicit) == explicit
    monkeypatch.setenv(pdf.FONT_ENV, str(explicit))
    assert pdf.find_cjk_font() == explicit
    monkeypatch.delenv(pdf.FONT_ENV)
    monkeypatch.setattr(pdf, "VENDORED_FONT", tmp_path / "missing.ttc")
    monkeypatch.setattr(pdf, "SYSTEM_FONT_PATHS", (tmp_path / "also-missing.ttc",))
    with pytest.raises(FileNotFoundError, match="fonts-wqy-microhei"):
        pdf.find_cjk_font()


def test_every_font_is_embedded_and_covers_the_chinese_text(unsigned_pdf: bytes) -> None:
    assert unsigned_pdf.startswith(b"%PDF-")
    assert b"STSong" not in unsigned_pdf
    fonts = _fonts(unsigned_pdf)
    assert fonts
    for font in fonts:
        descriptor = _descriptor(font)
        embedded = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
        assert embedded, f"font {font.get('/BaseFont')} is not embedded"
        assert isinstance(descriptor[embedded[0]], StreamObject)
        assert len(descriptor[embedded[0]].data) > 1000
    # The title's characters are mapped by an embedded font's ToUnicode CMap,
    # i.e. they were drawn with it rather than dropped or boxed.
    cmaps = b"".join(f["/ToUnicode"].data for f in fonts if "/ToUnicode" in f).lower()
    for char in "社会保险登记受理回执张三":
        assert f"<{ord(char):04x}>".encode() in cmaps, char


def test_rendering_escapes_markup_and_accepts_string_dates() -> None:
    doc = pdf.DocumentContent(
        title="<b>不是标签</b> & 标题",
        rows=[("a&b", "<c>")],
        paragraphs=["第一行\n第二行"],
        unit_name="单位",
        issued_on="2026年3月1日",
        verification_code="TB-1",
    )
    data = pdf.render_pdf(doc)
    assert data.startswith(b"%PDF-") and len(data) > 5000


def _context(root_pem: bytes) -> ValidationContext:
    der = ca.load_cert(root_pem).public_bytes(serialization.Encoding.DER)
    return ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)


def test_pyhanko_validates_the_signed_pdf(pki: Pki, signed_pdf: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    (sig,) = reader.embedded_signatures
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert sig.field_name == "TongbanSeal"
    status = validate_pdf_signature(sig, _context(pki.root.cert_pem))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line
    assert status.signing_cert.serial_number == pki.unit.serial
    embedded = {c.chosen.serial_number for c in sig.signed_data["certificates"]}
    assert {pki.unit.serial, pki.issuing.serial} <= embedded


def test_pyhanko_rejects_other_root(pki: Pki, signed_pdf: bytes) -> None:
    (sig,) = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures
    status = validate_pdf_signature(sig, _context(pki.other_root.cert_pem))
    assert status.intact and status.valid and not status.trusted and not status.bottom_line


def test_pyhanko_detects_one_flipped_byte_in_the_signed_range(pki: Pki, signed_pdf: bytes) -> None:
    (sig,) = PdfFileReader(io.BytesIO(signed_pdf)).embedded_signatures
    start1, len1, _start2, _len2 = (int(x) for x in sig.sig_object["/ByteRange"])
    # The middle of the first range lies inside the embedded font program, so
    # the file still parses and only the digest can notice.
    tampered = flip(signed_pdf, start1 + len1 // 2)
    (bad,) = PdfFileReader(io.BytesIO(tampered)).embedded_signatures
    status = validate_pdf_signature(bad, _context(pki.root.cert_pem))
    assert not status.intact and not status.bottom_line


def test_signing_requires_the_key_passphrase(pki: Pki, unsigned_pdf: bytes) -> None:
    with pytest.raises(ValueError):
        pdf.sign_pdf(unsigned_pdf, pki.unit, "wrong", pki.issuing.cert_pem)
