"""Revoking a unit's seal: what it signed verifies as revoked (with the signing time), the
unit's next document gets a fresh seal, and the CRL at /ca/crl.pem says so for offline use."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from cryptography import x509

from core.signing import authority
from core.signing.verification import verify_code
from core.signing.verify import verify_pdf

from .flows import act, documents_of, file_case, new_id_number, settle
from .licence_plugins import PERMIT_ITEM


@pytest.fixture(scope="module")
async def signed_then_revoked(app, jobs, licence_items, open_browser):
    agent = await open_browser("agent")
    first = await file_case(agent, PERMIT_ITEM, "钱七", new_id_number(), {"shop_name": "钱记"})
    await act("clerk", first["id"], "accept")
    await settle(jobs)
    receipt = (await documents_of(first["id"]))["receipt"]
    # Signing times have one-second resolution: revoke in the next second, as in life.
    now = dt.datetime.now(dt.UTC)
    await asyncio.sleep(1.05 - now.microsecond / 1e6)
    revoked = await authority.revoke(receipt["signer_serial"], "key_compromise")
    second = await file_case(agent, PERMIT_ITEM, "孙八", new_id_number(), {"shop_name": "孙记"})
    await act("clerk", second["id"], "accept")
    await settle(jobs)
    return receipt, revoked, (await documents_of(second["id"]))["receipt"]


async def test_earlier_document_says_revoked_and_that_it_was_signed_before(
    signed_then_revoked,
) -> None:
    receipt, revoked, _ = signed_then_revoked
    outcome = await verify_code(receipt["verification_code"])
    result = outcome.result
    assert result.status == "revoked" and not result.ok
    assert result.signed_before_revocation is True
    assert result.signed_at is not None and result.signed_at <= result.revoked_at
    assert result.revoked_at == revoked["revoked_at"]
    assert result.unit == "赶水镇便民服务中心"


async def test_the_units_next_document_has_a_new_valid_seal(signed_then_revoked) -> None:
    receipt, _, later = signed_then_revoked
    assert later["signer_serial"] != receipt["signer_serial"]
    assert (await verify_code(later["verification_code"])).result.status == "valid"


async def test_published_crl_lists_the_serial_for_offline_verifiers(
    signed_then_revoked, browser, site_root
) -> None:
    receipt, _, later = signed_then_revoked
    response = await browser.get("/ca/crl.pem")
    assert response.status_code == 200
    crl_pem = response.content
    crl = x509.load_pem_x509_crl(crl_pem)
    assert crl.get_revoked_certificate_by_serial_number(int(receipt["signer_serial"], 16))
    offline = verify_pdf(bytes(receipt["pdf"]), site_root, crl_pem)
    assert offline.status == "revoked" and offline.signed_before_revocation is True
    assert verify_pdf(bytes(later["pdf"]), site_root, crl_pem).status == "valid"


async def test_verify_page_explains_the_revocation(signed_then_revoked, browser) -> None:
    receipt, _, _ = signed_then_revoked
    page = await browser.get("/verify/", params={"code": receipt["verification_code"]})
    assert page.status_code == 200
    assert "印章已吊销" in page.text
    assert "签署于" in page.text and "印章吊销" in page.text


async def test_revoking_twice_or_an_unknown_serial_is_refused(signed_then_revoked) -> None:
    receipt, _, _ = signed_then_revoked
    with pytest.raises(authority.AlreadyRevoked):
        await authority.revoke(receipt["signer_serial"])
    with pytest.raises(authority.CertificateNotFound):
        await authority.revoke("00ff")
