"""Uploaded files are judged by their content: what passes, what is refused, and why."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from core.materials import storage
from tests.ui import media


def test_a_tablet_photo_is_accepted_upright_without_its_location_and_with_a_thumbnail():
    # Orientation 6: the camera was held sideways; the stored image must be upright.
    checked = storage.check(media.jpeg(640, 480, exif_orientation=6, gps=True), "IMG_0001.JPG")
    assert checked.content_type == "image/jpeg"
    assert checked.filename == "IMG_0001.jpg"
    assert (checked.width, checked.height) == (480, 640)
    stored = Image.open(io.BytesIO(checked.data))
    assert not stored.getexif(), "EXIF (GPS position, orientation) must not be kept"
    thumb = Image.open(io.BytesIO(checked.thumbnail))
    assert max(thumb.size) <= storage.THUMB_SIDE and thumb.format == "JPEG"


def test_png_and_pdf_pass_and_the_name_follows_the_content():
    assert storage.check(media.png(), "scan.jpeg").filename == "scan.png"
    checked = storage.check(media.pdf(), "户口簿.pdf")
    assert (checked.content_type, checked.pages, checked.thumbnail) == ("application/pdf", 1, None)
    assert checked.filename == "户口簿.pdf"


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (media.HTML, "photo.jpg", storage.BAD_TYPE),  # a web page called a photo
        (b"MZ\x90\x00" + b"\x00" * 200, "id.pdf", storage.BAD_TYPE),  # a Windows program
        (b"GIF89a" + b"\x00" * 100, "a.gif", storage.BAD_TYPE),  # not among the accepted types
        (media.jpeg()[:300], "cut.jpg", storage.BAD_IMAGE),  # a truncated photo
        (b"\xff\xd8\xff" + media.HTML, "x.jpg", storage.BAD_IMAGE),  # JPEG magic, then HTML
        (media.pdf(javascript=True), "form.pdf", storage.ACTIVE_PDF),
        (b"%PDF-1.4\n" + media.HTML + b"\n%%EOF", "x.pdf", storage.BAD_PDF),
        (media.png_bomb(), "bomb.png", storage.TOO_MANY_PIXELS),
        (b"", "empty.jpg", storage.EMPTY),
        (media.jpeg(), "../../etc/passwd.jpg", storage.BAD_NAME),
        (media.jpeg(), "..\\boot.ini.jpg", storage.BAD_NAME),
        (media.jpeg(), "a\x00b.jpg", storage.BAD_NAME),
        (media.jpeg(), "photo\u202egpj.exe", storage.BAD_NAME),  # right-to-left override
        (media.jpeg(), ".htaccess", storage.BAD_NAME),
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_reason(data, name, message):
    with pytest.raises(storage.Rejected) as refused:
        storage.check(data, name)
    assert refused.value.message == message


def test_the_size_limit_counts_the_bytes_not_the_name():
    data = media.jpeg(2000, 2000)
    with pytest.raises(storage.Rejected) as refused:
        storage.check(data, "small.jpg", max_bytes=len(data) - 1)
    assert refused.value.message == storage.TOO_BIG
    assert refused.value.params == {"max": storage.human_bytes(len(data) - 1)}


def test_a_pdf_hiding_javascript_behind_name_escapes_is_refused():
    sneaky = media.pdf(javascript=True, action=b"/J#61vaScript", js_key=b"/J#53")
    with pytest.raises(storage.Rejected) as refused:
        storage.check(sneaky, "form.pdf")
    assert refused.value.message == storage.ACTIVE_PDF


def test_thumbnails_are_encrypted_at_rest(tmp_path):
    store = storage.ThumbnailStore(tmp_path, b"k" * 32)
    store.put("abc123", b"\xff\xd8\xffTHUMBNAIL")
    on_disk = store.path("abc123").read_bytes()
    assert b"THUMBNAIL" not in on_disk
    assert store.read("abc123") == b"\xff\xd8\xffTHUMBNAIL"
    with pytest.raises(ValueError):
        store.path("../escape")
