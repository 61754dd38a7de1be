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


# -- the signing module on the demo site (database, CA, jobs) ---------------------------


@pytest.fixture(scope="module")
def licence_items():
    """The two test departments (one issues a permit e-licence, one reuses it), per module."""
    from .licence_plugins import installed

    with installed():
        yield


@pytest.fixture(scope="session")
async def open_browser(app):
    """Open browsers that live as long as the test session (for module-scoped flows)."""
    import httpx

    from tests.helpers import Browser

    clients: list[httpx.AsyncClient] = []
    logged_in: dict[str, Browser] = {}

    async def open_one(username: str | None = None) -> Browser:
        """A fresh browser, or — for ``username`` — that person's one session of the run
        (logging in costs a password hash, so each person logs in once)."""
        if username in logged_in:
            return logged_in[username]
        clients.append(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
            )
        )
        browser = Browser(clients[-1])
        if username:
            await browser.login(username)
            logged_in[username] = browser
        return browser

    yield open_one
    for client in clients:
        await client.aclose()


@pytest.fixture(scope="session")
async def site_root(app) -> bytes:
    """The demo site's root certificate (its CA is made when the app starts)."""
    from core.signing.authority import root_pem

    return await root_pem()
