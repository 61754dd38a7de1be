"""Pages go out gzip-compressed over the villages' slow links; photos, scans and PDFs,
compressed already, go out as they are (gzip would cost CPU on each download for nothing)."""

from __future__ import annotations

from tests.ui import flows, media

GZIP = {"accept-encoding": "gzip"}


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
