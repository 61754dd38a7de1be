"""verify_pdf: the four outcomes, revocation timing, later revisions, and async callers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pyhanko.pdf_utils.generic import StreamObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader

from core.signing import ca, pdf
from core.signing.verify import averify_pdf, verify_pdf

from .signing_support import KEK, UNIT_CODE, UNIT_NAME, Pki, flip


def _byte_range(data: bytes) -> tuple[int, int, int, int]:
    (sig,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    a, b, c, d = (int(x) for x in sig.sig_object["/ByteRange"])
    return a, b, c, d


def test_valid(pki: Pki, signed_pdf: bytes) -> None:
    result = verify_pdf(signed_pdf, pki.root.cert_pem)
    assert result.status == "valid" and result.ok, result
    assert result.reason == "Signature is valid"
    assert result.signer == UNIT_NAME
    assert result.unit == UNIT_NAME
    assert result.unit_code == UNIT_CODE
    assert result.serial == ca.serial_hex(pki.unit.serial)
    assert result.signed_at is not None
    assert abs(result.signed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
    assert result.revoked_at is None and result.signed_before_revocation is None


def test_trust_roots_may_be_a_list(pki: Pki, signed_pdf: bytes) -> None:
    roots = [pki.other_root.cert_pem, pki.root.cert]
    assert verify_pdf(signed_pdf, roots).status == "valid"


@pytest.mark.parametrize("where", ["start", "middle1", "end1", "middle2", "end2"])
def test_one_flipped_byte_in_the_signed_range_is_altered(
    pki: Pki, signed_pdf: bytes, where: str
) -> None:
    start1, len1, start2, len2 = _byte_range(signed_pdf)
    index = {
        "start": 20,
        "middle1": start1 + len1 // 2,
        "end1": start1 + len1 - 200,
        "middle2": start2 + len2 // 2,
        "end2": start2 + len2 - 10,
    }[where]
    result = verify_pdf(flip(signed_pdf, index), pki.root.cert_pem)
    assert result.status == "altered", (where, result)
    assert not result.ok


def test_page_content_changed_in_a_later_revision_is_altered(pki: Pki, signed_pdf: bytes) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    stream = writer.add_object(StreamObject(stream_data=b"q 1 0 0 rg 100 100 200 50 re f Q"))
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue(), pki.root.cert_pem)
    assert result.status == "altered", result
    assert result.reason == "Document was modified after signing"


def test_unsigned_pdf(pki: Pki, unsigned_pdf: bytes) -> None:
    result = verify_pdf(unsigned_pdf, pki.root.cert_pem)
    assert result.status == "unknown_signer"
    assert result.reason == "Document is not signed"


def test_garbage_is_altered(pki: Pki) -> None:
    assert verify_pdf(b"%PDF-1.4 garbage", pki.root.cert_pem).status == "altered"


def test_other_root_is_unknown_signer(pki: Pki, signed_pdf: bytes, unsigned_pdf: bytes) -> None:
    result = verify_pdf(signed_pdf, pki.other_root.cert_pem)
    assert result.status == "unknown_signer"
    assert result.signer == UNIT_NAME  # still says who claims to have signed
    # A look-alike site's seal with identical names is not ours either.
    forged = pdf.sign_pdf(unsigned_pdf, pki.other_unit, KEK, pki.other_issuing.cert_pem)
    assert verify_pdf(forged, pki.root.cert_pem).status == "unknown_signer"


def test_revoked_after_signing(pki: Pki, signed_pdf: bytes) -> None:
    signed_at = verify_pdf(signed_pdf, pki.root.cert_pem).signed_at
    assert signed_at is not None
    revoked_at = signed_at + dt.timedelta(days=1)
    crl = ca.build_crl(
        pki.issuing,
        KEK,
        [ca.Revocation(pki.unit.serial, revoked_at, ca.x509.ReasonFlags.superseded)],
        crl_number=10,
    )
    result = verify_pdf(signed_pdf, pki.root.cert_pem, crl=crl)
    assert result.status == "revoked" and not result.ok
    assert result.revoked_at == revoked_at
    assert result.signed_before_revocation is True
    assert result.signer == UNIT_NAME


def test_revoked_before_signing(pki: Pki, signed_pdf: bytes) -> None:
    revoked_at = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=1)
    crl = ca.build_crl(
        pki.issuing, KEK, [ca.Revocation(pki.unit.serial, revoked_at)], crl_number=11
    )
    result = verify_pdf(signed_pdf, pki.root.cert_pem, crl=crl)
    assert result.status == "revoked"
    assert result.signed_before_revocation is False


def test_crl_of_another_certificate_changes_nothing(pki: Pki, signed_pdf: bytes) -> None:
    crl = ca.build_crl(
        pki.issuing, KEK, [ca.Revocation(pki.person.serial, dt.datetime.now(dt.UTC))], crl_number=12
    )
    assert verify_pdf(signed_pdf, pki.root.cert_pem, crl=crl).status == "valid"


def test_altered_takes_precedence_over_revoked(pki: Pki, signed_pdf: bytes) -> None:
    crl = ca.build_crl(
        pki.issuing, KEK, [ca.Revocation(pki.unit.serial, dt.datetime.now(dt.UTC))], crl_number=13
    )
    start1, len1, _, _ = _byte_range(signed_pdf)
    tampered = flip(signed_pdf, start1 + len1 // 2)
    assert verify_pdf(tampered, pki.root.cert_pem, crl=crl).status == "altered"


def test_rotated_certificate_keeps_old_documents_valid(
    pki: Pki, signed_pdf: bytes, unsigned_pdf: bytes
) -> None:
    rotated = ca.issue_unit_cert(
        pki.issuing, KEK, KEK, site_name="示例市通办", unit_name=UNIT_NAME, unit_code=UNIT_CODE
    )
    new_doc = pdf.sign_pdf(unsigned_pdf, rotated, KEK, pki.issuing.cert_pem)
    new = verify_pdf(new_doc, pki.root.cert_pem)
    assert new.status == "valid" and new.serial == ca.serial_hex(rotated.serial)
    assert verify_pdf(signed_pdf, pki.root.cert_pem).status == "valid"


def test_seal_plus_approver_signature(pki: Pki, signed_pdf: bytes) -> None:
    both = pdf.sign_pdf(signed_pdf, pki.person, KEK, pki.issuing.cert_pem, field_name="Approver")
    reader = PdfFileReader(io.BytesIO(both))
    assert [s.field_name for s in reader.embedded_signatures] == ["TongbanSeal", "Approver"]
    result = verify_pdf(both, pki.root.cert_pem)
    assert result.status == "valid", result
    assert result.signer == UNIT_NAME  # the first signature speaks for the document
    crl = ca.build_crl(
        pki.issuing, KEK, [ca.Revocation(pki.person.serial, dt.datetime.now(dt.UTC))], crl_number=14
    )
    revoked = verify_pdf(both, pki.root.cert_pem, crl=crl)
    assert revoked.status == "revoked" and revoked.signer == "李审批"


async def test_callable_from_a_running_event_loop(pki: Pki, signed_pdf: bytes) -> None:
    assert (await averify_pdf(signed_pdf, pki.root.cert_pem)).status == "valid"
    # The synchronous wrapper must not trip over the running loop either.
    assert verify_pdf(signed_pdf, pki.root.cert_pem).status == "valid"
    signed_again = await pdf.asign_pdf(
        signed_pdf, pki.person, KEK, pki.issuing.cert_pem, field_name="Approver2"
    )
    assert verify_pdf(signed_again, pki.root.cert_pem).status == "valid"


def test_flip_in_signature_structure_is_altered_not_unsigned(pki: Pki, signed_pdf: bytes) -> None:
    for marker in (b"/FT /Sig", b"/AcroForm"):
        index = signed_pdf.rindex(marker) + 2
        result = verify_pdf(flip(signed_pdf, index), pki.root.cert_pem)
        assert result.status == "altered", (marker, result)
