"""Hostile input: oversized and malformed uploads, path traversal in file names, tampered
headers and cookies, a form without its CSRF token, random paths and form values —
each answered cleanly (4xx, in the user's language, no stack trace) with nothing changed."""

from __future__ import annotations

import asyncio
import io
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from core.materials.storage import DEFAULT_MAX_BYTES
from core.materials.tables import Upload as MaterialUpload
from core.settings import get_settings
from tests.fuzz.support import snapshot
from tests.ui.flows import multipart

PENSION = "000115002000"
FILING = {
    "applicant.name": "王五",
    "applicant.id_number": "11010519491231002X",
    "applicant.phone": "13900139000",
    "contribution_grade": "300",
    "household_address": "509910101201",
}
QUICK = settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def _clean(response) -> None:
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text


async def test_an_oversized_upload_is_refused_before_it_is_read(new_browser):
    agent = await new_browser()
    await agent.login("clerk")
    before = await MaterialUpload.count()
    huge = b"\0" * (DEFAULT_MAX_BYTES * 3 + 2 * 1024 * 1024)
    response = await multipart(
        agent, "/materials/upload", {}, {"upload.id_card": ("big.png", huge, "image/png")}
    )
    assert response.status_code == 413
    assert "上传的文件太大" in response.text or "太大" in response.text
    assert await MaterialUpload.count() == before


async def test_malformed_uploads_are_refused_cleanly(new_browser):
    agent = await new_browser()
    await agent.login("clerk")
    before = await MaterialUpload.count()
    # A body that claims to be multipart but is not.
    broken = await agent.client.post(
        "/materials/upload",
        content=b'--xyz\r\nContent-Disposition: form-data; name="upload.id_card"\r\n\r\n\x00\xff',
        headers={"content-type": "multipart/form-data; boundary=xyz", "x-csrftoken": agent.csrf},
    )
    _clean(broken)
    # A "PNG" that is not one, and an executable wearing a picture's name.
    for name, content, mime in (
        ("photo.png", b"\x89PNG\r\n\x1a\nnot really", "image/png"),
        ("photo.jpg", b"MZ\x90\x00" + b"\0" * 200, "image/jpeg"),
    ):
        response = await multipart(
            agent, "/materials/upload", {}, {"upload.id_card": (name, content, mime)}, htmx=True
        )
        _clean(response)
        assert response.headers.get("hx-retarget") == "#err-upload-id_card"
    assert await MaterialUpload.count() == before


async def test_path_traversal_in_a_file_name_writes_nothing_outside_var(new_browser):
    agent = await new_browser()
    await agent.login("clerk")
    var_dir = get_settings().var_dir
    names = ("../../escaped.png", "/tmp/escaped-abs.png", "..\\..\\escaped.png", "a/../../b.png")
    for name in names:
        response = await multipart(
            agent, "/materials/upload", {}, {"upload.id_card": (name, _png(), "image/png")},
            htmx=True,
        )  # fmt: skip
        _clean(response)
    # Wherever a naive join of folder and name would have written, nothing is there.
    for name in names:
        for folder in (var_dir, var_dir / "materials", var_dir / "uploads"):
            target = (folder / name.replace("\\", "/")).resolve()
            if not target.is_relative_to(var_dir.resolve()):
                assert not target.exists(), target
    names = [r["filename"] for r in await MaterialUpload.select(MaterialUpload.filename)]
    assert not any("/" in n or "\\" in n or ".." in n for n in names)


async def test_a_form_without_its_csrf_token_changes_nothing(new_browser):
    agent = await new_browser()
    await agent.login("clerk")
    before = await snapshot()
    response = await agent.client.post(f"/file/{PENSION}", data=FILING)
    assert response.status_code == 403
    assert "表单已过期" in response.text
    forged = await agent.client.post(
        f"/file/{PENSION}", data={**FILING, "_csrf_token": "forged" * 10}
    )
    assert forged.status_code == 403
    assert await snapshot() == before


async def test_tampered_cookies_are_treated_as_no_session(new_browser):
    agent = await new_browser()
    await agent.login("clerk")
    assert (await agent.get("/desk/")).status_code == 200
    for value in (
        "x" * 4000,
        "../../etc/passwd",
        "null",
        "'; DROP TABLE cases_case; --",
        "%E4%B8%AD",
    ):
        agent.client.cookies.set("tongban_session", value, domain="testserver.local")
        response = await agent.get("/desk/", follow_redirects=False)
        _clean(response)
        assert response.status_code in (302, 303) and "/login" in response.headers["location"]
    # A tampered CSRF cookie no longer matches the token the form carries.
    await agent.login("clerk")
    token = agent.csrf
    agent.client.cookies.set("tongban_csrf", token[:-4] + "AAAA", domain="testserver.local")
    before = await snapshot()
    response = await agent.client.post(f"/file/{PENSION}", data={**FILING, "_csrf_token": token})
    assert response.status_code == 403
    assert await snapshot() == before


async def test_tampered_headers_get_clean_answers(new_browser):
    browser = await new_browser()
    for headers in (
        {"x-forwarded-for": "not-an-ip, ::::, 999.1.1.1"},
        {"accept-language": "xx-INVALID;q=abc, *;q=-1"},
        {"accept": "*/*;q=nonsense"},
        {"hx-request": "true", "hx-target": "<script>"},
        {"cookie": "tongban_session=" + "%" * 200},
        {"content-type": "application/json"},
        {"x-request-id": "\u00ff\u00fe".encode("latin-1") * 10},
        {"user-agent": "中文".encode() * 50},
    ):
        for url in ("/", "/status/?code=X&last4=1", "/login", "/api/v1/status/ABC?last4=1"):
            _clean(await browser.client.get(url, headers=headers))


async def test_any_path_is_answered_without_a_server_error(browser):
    loop = asyncio.get_running_loop()

    @QUICK
    @given(path=st.text(min_size=1, max_size=60))
    def check(path: str) -> None:
        url = "/" + quote(path.lstrip("/"), safe="/%?&=.")
        response = asyncio.run_coroutine_threadsafe(browser.get(url), loop).result(60)
        assert response.status_code < 500, (path, response.text[:300])
        assert "Traceback" not in response.text

    await asyncio.to_thread(check)


async def test_random_filing_forms_are_refused_cleanly(new_browser):
    clerk = await new_browser()
    await clerk.login("clerk")
    loop = asyncio.get_running_loop()

    async def attempt(form: dict) -> tuple[int, str, bool]:
        before = await snapshot()
        response = await clerk.client.post(
            f"/file/{PENSION}", data={**form, "_csrf_token": clerk.csrf}
        )
        filed = response.status_code in (302, 303)
        return response.status_code, response.text, filed or await snapshot() != before

    @QUICK
    @given(
        values=st.fixed_dictionaries(
            {},
            optional={
                key: st.one_of(
                    st.text(max_size=40), st.sampled_from(["", "0", "-1", "1e309", "\x00"])
                )
                for key in FILING
            },
        )
    )
    def check(values: dict) -> None:
        status, text, changed = asyncio.run_coroutine_threadsafe(
            attempt({**FILING, **values}), loop
        ).result(60)
        assert status < 500, text[:300]
        assert "Traceback" not in text
        if status not in (302, 303):  # refused: nothing may have changed
            assert not changed, values

    await asyncio.to_thread(check)
