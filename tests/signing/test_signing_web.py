"""The public verification page and API, the QR landing page, the CA files, staff downloads
and the city admin's page — as a visitor, a resident, staff and the admin see them."""

from __future__ import annotations

import pytest

from core.signing.documents import new_verification_code

from .flows import act, documents_of, file_case, new_id_number, settle
from .licence_plugins import PERMIT_ITEM
from .signing_support import flip


@pytest.fixture(scope="module")
async def licence(app, jobs, licence_items, open_browser) -> dict:
    agent = await open_browser("agent")
    case = await file_case(agent, PERMIT_ITEM, "蒋十一", new_id_number(), {"shop_name": "蒋记"})
    await act("clerk", case["id"], "accept")
    await act("clerk", case["id"], "approve")
    await settle(jobs)
    return (await documents_of(case["id"]))["licence"] | {"tracking_code": case["tracking_code"]}


async def test_verify_page_by_code_shows_genuine_with_signer_and_case(licence, browser) -> None:
    page = await browser.get("/verify/", params={"code": licence["verification_code"].lower()})
    assert page.status_code == 200
    assert "真实有效" in page.text
    assert "赶水镇便民服务中心" in page.text
    assert licence["tracking_code"] in page.text
    assert "蒋记" in page.text  # the signed rows, to compare with the paper


async def test_verify_page_in_english(licence, browser) -> None:
    browser.client.cookies.set("lang", "en")
    page = await browser.get("/verify/", params={"code": licence["verification_code"]})
    assert "Genuine" in page.text and "Signature is valid" in page.text


async def test_mistyped_and_unknown_codes_are_told_apart(browser) -> None:
    code = new_verification_code()
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    mistyped = await browser.get("/verify/", params={"code": typo})
    assert "核验码无效" in mistyped.text
    unknown = await browser.get("/verify/", params={"code": code})
    assert "没有与此核验码对应的文件" in unknown.text


async def test_uploading_the_pdf_verifies_it_and_a_changed_one_is_altered(licence, browser) -> None:
    await browser.get("/verify/")
    pdf = bytes(licence["pdf"])
    ok = await browser.client.post(
        "/verify/",
        files={"file": ("licence.pdf", pdf, "application/pdf")},
        data={"_csrf_token": browser.csrf},
    )
    assert ok.status_code == 200 and "真实有效" in ok.text
    assert licence["tracking_code"] in ok.text
    bad = await browser.client.post(
        "/verify/",
        files={"file": ("licence.pdf", flip(pdf, len(pdf) // 2), "application/pdf")},
        data={"_csrf_token": browser.csrf},
    )
    assert "已被篡改" in bad.text and licence["tracking_code"] not in bad.text


async def test_verify_api_needs_no_session(licence, app) -> None:
    import httpx

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as anonymous:
        by_code = await anonymous.get(f"/api/v1/verify/{licence['verification_code']}")
        assert by_code.status_code == 200
        body = by_code.json()
        assert body["status"] == "valid" and body["unit"] == "赶水镇便民服务中心"
        assert body["document"]["tracking_code"] == licence["tracking_code"]
        assert body["signed_at"]
        upload = await anonymous.post(
            "/api/v1/verify", files={"file": ("x.pdf", bytes(licence["pdf"]), "application/pdf")}
        )
        assert upload.status_code == 200 and upload.json()["status"] == "valid"
        detached = await anonymous.post(
            "/api/v1/verify",
            files={
                "file": ("x.pdf", bytes(licence["pdf"]), "application/pdf"),
                "signature": ("x.p7s", bytes(licence["signature"]), "application/pkcs7-signature"),
            },
        )
        assert detached.json()["status"] == "valid"
        rows = [list(r) for r in licence["rows"]]
        scanned = await anonymous.post(
            "/api/v1/verify/qr", json={"payload": licence["qr_payload"], "rows": rows}
        )
        assert scanned.json()["status"] == "valid" and scanned.json()["data_matches"] is True
        rows[0][1] = "伪造编号"
        forged = await anonymous.post(
            "/api/v1/verify/qr", json={"payload": licence["qr_payload"], "rows": rows}
        )
        assert forged.json()["status"] == "altered" and forged.json()["data_matches"] is False


async def test_qr_landing_page_shows_what_was_signed(licence, browser) -> None:
    token = licence["qr_payload"].rsplit("/", 1)[-1]
    page = await browser.get(f"/V/{token}")
    assert page.status_code == 200 and "真实有效" in page.text and "蒋记" in page.text


async def test_ca_files_are_published(browser) -> None:
    for name, marker in (
        ("root.pem", b"BEGIN CERTIFICATE"),
        ("chain.pem", b"BEGIN CERTIFICATE"),
        ("certs.pem", b"BEGIN CERTIFICATE"),
        ("crl.pem", b"BEGIN X509 CRL"),
    ):
        response = await browser.get(f"/ca/{name}")
        assert response.status_code == 200 and marker in response.content, name


async def test_staff_download_documents_of_cases_they_may_see(licence, open_browser) -> None:
    clerk, outsider = await open_browser("clerk"), await open_browser("clerk2")
    listed = await clerk.api("GET", f"/api/v1/cases/{licence['case']}/documents")
    assert {d["kind"] for d in listed.json()} == {"receipt", "decision", "licence"}
    pdf = await clerk.get(f"/documents/{licence['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content == bytes(licence["pdf"])
    fragment = await clerk.get(f"/documents/case/{licence['case']}")
    assert licence["verification_code"] in fragment.text
    assert (await outsider.get(f"/documents/{licence['id']}/pdf")).status_code == 404
    assert (
        await outsider.api("GET", f"/api/v1/cases/{licence['case']}/documents")
    ).status_code == 404


async def test_admin_page_rotates_a_seal_and_refuses_others(open_browser) -> None:
    admin, clerk = await open_browser("admin"), await open_browser("clerk")
    assert (await clerk.get("/admin/signing/")).status_code == 403
    page = await admin.get("/admin/signing/")
    assert page.status_code == 200 and "根证书" in page.text
    rotated = await admin.post_form("/admin/signing/units", {"unit_code": "509920101000-BM"})
    assert rotated.status_code == 200 and "已签发新印章" in rotated.text
    assert "大观镇便民服务中心" in rotated.text
    bad = await admin.post_form("/admin/signing/revoke", {"serial": "zz", "reason": "superseded"})
    assert bad.status_code == 404 and "没有这个证书" in bad.text


async def test_an_oversized_upload_is_refused_with_a_message(app) -> None:
    from core.signing.verification import MAX_UPLOAD, FileTooLarge, verify_file

    with pytest.raises(FileTooLarge):
        await verify_file(b"%PDF-" + b"0" * MAX_UPLOAD)
