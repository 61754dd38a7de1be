"""One PKI for the whole signing suite: P-256 keys are cheap, but not free."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from core.signing import ca, pdf, qr

from .signing_support import CODE, KEK, ROOT_PASS, ROWS, SITE, UNIT_CODE, UNIT_NAME, Pki


@pytest.fixture(scope="session")
def pki() -> Pki:
    root = ca.create_root_ca(SITE, ROOT_PASS)
    issuing = ca.create_issuing_ca(root, ROOT_PASS, KEK, site_name=SITE)
    unit = ca.issue_unit_cert(
        issuing,
        KEK,
        KEK,
        site_name=SITE,
        unit_name=UNIT_NAME,
        unit_code=UNIT_CODE,
    )
    person = ca.issue_person_cert(
        issuing,
        KEK,
        KEK,
        site_name=SITE,
        unit_name=UNIT_NAME,
        unit_code=UNIT_CODE,
        person_name="李审批",
        person_id="staff-42",
    )
    # A look-alike site: same names, different keys.
    other_root = ca.create_root_ca(SITE, ROOT_PASS)
    other_issuing = ca.create_issuing_ca(other_root, ROOT_PASS, KEK, site_name=SITE)
    other_unit = ca.issue_unit_cert(
        other_issuing,
        KEK,
        KEK,
        site_name=SITE,
        unit_name=UNIT_NAME,
        unit_code=UNIT_CODE,
    )
    return Pki(root, issuing, unit, person, other_root, other_issuing, other_unit)


@pytest.fixture(scope="session")
def unsigned_pdf(pki: Pki) -> bytes:
    payload = qr.make_qr_payload(CODE, ROWS, pki.unit, KEK)
    doc = pdf.DocumentContent(
        title="社会保险登记受理回执",
        rows=ROWS,
        paragraphs=["您的申请已受理，将于 5 个工作日内办结。", "如有疑问请致电 12333。"],
        unit_name=UNIT_NAME,
        issued_on=dt.date(2026, 3, 1),
        verification_code=CODE,
        qr_png=qr.qr_png(payload),
    )
    return pdf.render_pdf(doc)


@pytest.fixture(scope="session")
def signed_pdf(pki: Pki, unsigned_pdf: bytes) -> bytes:
    return pdf.sign_pdf(unsigned_pdf, pki.unit, KEK, pki.issuing.cert_pem, reason="受理回执")


@pytest.fixture(scope="session")
def openssl() -> str:
    path = shutil.which("openssl")
    if path is None:  # pragma: no cover - openssl is part of every supported machine
        pytest.fail("openssl binary not found; install the openssl package")
    return path
