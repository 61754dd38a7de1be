"""Small real files for upload tests: photos, scans, and hostile ones."""

from __future__ import annotations

import io

from PIL import Image


def jpeg(
    width: int = 640, height: int = 480, *, exif_orientation: int | None = None, gps: bool = False
) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(0, width, 8):  # some detail, so that it is not all one colour
        image.putpixel((x, height // 2), (0, 0, 0))
    exif = Image.Exif()
    if exif_orientation:
        exif[0x0112] = exif_orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (29.0, 1.0, 30.0), 3: "E", 4: (106.0, 33.0, 0.0)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes() if (exif_orientation or gps) else b"")
    return out.getvalue()


def png(width: int = 300, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (10, 120, 200, 255)).save(out, "PNG")
    return out.getvalue()


def pdf(
    text: str = "signed form",
    *,
    javascript: bool = False,
    action: bytes = b"/JavaScript",
    js_key: bytes = b"/JS",
) -> bytes:
    """A one-page PDF written by hand, so that its structure is exactly what the test says."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R"
        + (
            b" /OpenAction << /S " + action + b" " + js_key + b" (app.alert(1)) >>"
            if javascript
            else b""
        )
        + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def png_bomb() -> bytes:
    """A tiny PNG that declares 30000 × 30000 pixels (900 megapixels)."""
    out = io.BytesIO()
    Image.new("1", (30000, 30000)).save(out, "PNG")
    return out.getvalue()


HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
