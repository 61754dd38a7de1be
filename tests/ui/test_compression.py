"""Pages go out compressed over the villages' slow links — brotli to browsers that take it
(every browser over HTTPS), gzip to the others; photos, scans and PDFs, compressed
already, go out as they are (compressing them would cost CPU on each download for
nothing)."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

from tests.ui import flows, media

GZIP = {"accept-encoding": "gzip"}
BR = {"accept-encoding": "br"}
CHROMIUM_OVER_HTTPS = {"accept-encoding": "gzip, deflate, br, zstd"}
STATIC = Path(__file__).resolve().parents[2] / "core" / "web" / "static"
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


async def as_sent(browser, url: str, headers: dict) -> tuple[str | None, bytes, bytes, dict]:
    """(Content-Encoding, the bytes on the wire, the body decoded, headers) of a GET."""
    async with browser.client.stream("GET", url, headers=headers) as response:
        assert response.status_code == 200, (url, response.status_code)
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    encoding = response.headers.get("content-encoding")
    body = DECODE[encoding](raw) if encoding else raw
    return encoding, raw, body, response.headers


async def test_html_is_gzipped_but_photos_and_pdfs_are_sent_as_they_are(people):
    agent = await people("agent")
    page = await agent.get("/workbench/", headers=GZIP)
    assert page.status_code == 200 and "<html" in page.text
    assert page.headers.get("content-encoding") == "gzip"
    assert "accept-encoding" in page.headers.get("vary", "").lower()

    sent = {
        "image/jpeg": ("IMG_2042.JPG", media.jpeg(1024, 768), b"\xff\xd8"),
        "image/png": ("scan.png", media.png(600, 400), b"\x89PNG"),
        "application/pdf": ("form.pdf", media.pdf("signed form " * 200), b"%PDF"),
    }
    for mime, (name, content, magic) in sent.items():
        uploaded = await flows.upload(agent, "upload.id_card", name, content, mime)
        assert uploaded.status_code == 200, uploaded.text
        upload = flows.upload_id(uploaded.text)
        got = await agent.get(f"/materials/{upload}", headers=GZIP)
        assert got.status_code == 200 and got.headers["content-type"] == mime
        assert len(got.content) > 512  # big enough that gzip would have been tried
        assert "content-encoding" not in got.headers, mime
        assert got.content.startswith(magic)  # the file itself, as stored
        assert int(got.headers["content-length"]) == len(got.content)
        if mime.startswith("image/"):  # its thumbnail (a JPEG) too
            thumb = await agent.get(f"/materials/{upload}/thumb", headers=GZIP)
            assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
            assert "content-encoding" not in thumb.headers and len(thumb.content) > 512


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BR, "br"),
        (CHROMIUM_OVER_HTTPS, "br"),
        (GZIP, "gzip"),
        ({"accept-encoding": "identity"}, None),
    ],
)
async def test_pages_and_assets_in_the_encoding_the_browser_takes(people, accept, expected):
    agent = await people("agent")
    for url in ("/workbench/", f"/guide/{flows.PENSION}", "/guide/?q=养老"):
        plain = await agent.get(url, headers={"accept-encoding": "identity"})
        assert "content-encoding" not in plain.headers
        encoding, raw, body, headers = await as_sent(agent, url, accept)
        assert encoding == expected, url
        assert body == plain.content, url  # the same page, decoded
        if expected:
            assert "accept-encoding" in headers.get("vary", "").lower(), url
            assert len(raw) < len(body) * 3 / 4, url
    for name in ("app.css", "vendor/htmx.min.js"):
        encoding, raw, body, headers = await as_sent(agent, f"/static/{name}", accept)
        assert encoding == expected, name
        assert body == (STATIC / name).read_bytes(), name
        if expected:
            assert "accept-encoding" in headers.get("vary", "").lower(), name


async def test_brotli_pages_are_lighter_than_gzip(people):
    """Why br: the same pages, fewer bytes on the village line."""
    agent = await people("agent")
    for url in ("/workbench/", f"/guide/{flows.PENSION}", "/guide/?q=养老", "/static/app.css"):
        _, br_raw, br_body, _ = await as_sent(agent, url, BR)
        _, gz_raw, gz_body, _ = await as_sent(agent, url, GZIP)
        assert br_body == gz_body, url
        assert len(br_raw) < len(gz_raw) * 0.95, (url, len(br_raw), len(gz_raw))


async def test_photos_and_pdfs_are_sent_as_they_are_to_a_brotli_browser(people):
    agent = await people("agent")
    photo = media.jpeg(1024, 768)
    uploaded = await flows.upload(agent, "upload.id_card", "IMG_2043.JPG", photo, "image/jpeg")
    assert uploaded.status_code == 200, uploaded.text
    upload = flows.upload_id(uploaded.text)
    for url in (f"/materials/{upload}", f"/materials/{upload}/thumb"):
        encoding, raw, _, headers = await as_sent(agent, url, CHROMIUM_OVER_HTTPS)
        assert headers["content-type"] == "image/jpeg", url
        assert encoding is None, url
        assert raw.startswith(b"\xff\xd8") and len(raw) > 512, url
        assert int(headers["content-length"]) == len(raw), url
    stored = (
        await agent.get(f"/materials/{upload}", headers={"accept-encoding": "identity"})
    ).content
    _, raw, _, _ = await as_sent(agent, f"/materials/{upload}", BR)
    assert raw == stored  # the photo as stored, byte for byte
    pdf = media.pdf("signed form " * 200)
    uploaded = await flows.upload(agent, "upload.id_card", "form.pdf", pdf, "application/pdf")
    upload = flows.upload_id(uploaded.text)
    encoding, raw, _, headers = await as_sent(agent, f"/materials/{upload}", BR)
    assert encoding is None and headers["content-type"] == "application/pdf"
    assert raw.startswith(b"%PDF") and len(raw) > 512


async def test_tiny_answers_are_not_compressed_for_brotli_either(browser):
    encoding, raw, _, _ = await as_sent(browser, "/healthz", BR)
    assert encoding is None and len(raw) < 512
