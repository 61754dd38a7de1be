"""Checking and storing uploaded materials: content, not names, decides what a file is.

A file is accepted only if its bytes are a JPEG, PNG or WebP image that
Pillow can decode within the pixel limit, or a PDF that parses, is not
encrypted and carries no scripts, launch actions or embedded files. The
name the device sent is only a label: it is checked for traversal and
hostile characters, and its extension is corrected to match the content.

Images are re-encoded: EXIF is applied (a tablet photo held sideways ends
up upright) and then dropped, because a camera photo's metadata carries
the place it was taken. The bytes are kept by :mod:`core.catalog.uploads`
(encrypted, with their content hash), which is what the form validator
consults; thumbnails are kept here, encrypted the same way.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from core.catalog.fields import safe_filename
from core.i18n import N_

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 50-megapixel camera; beyond this is a decompression bomb
MAX_SIDE = 4000  # stored images are scaled down to this; a scan stays legible
THUMB_SIDE = 320
MAX_PDF_PAGES = 200

# Pillow hands freed image memory back to the OS at once (PILLOW_BLOCKS_MAX=0), so each
# decode, re-encode and thumbnail of an upload pays for fresh pages again: a third of
# check()'s CPU for a phone photo. Keeping a few freed blocks (at most 16 MB each) for
# reuse is Pillow's documented remedy; the environment variable still decides if set.
if "PILLOW_BLOCKS_MAX" not in os.environ:
    Image.core.set_blocks_max(4)

# Msgids shown at the upload slot.
TOO_BIG = N_("The file is too large; the limit is %(max)s")
EMPTY = N_("The file is empty")
BAD_TYPE = N_("Only photos (JPEG, PNG, WebP) and PDF files are accepted")
BAD_IMAGE = N_("This image could not be read; take the photo again")
BAD_PDF = N_("This PDF could not be read or is protected; scan it again")
ACTIVE_PDF = N_("This PDF contains scripts or attachments and is not accepted")
BAD_NAME = N_("This file name is not allowed; rename the file and upload it again")
TOO_MANY_PIXELS = N_("This image is too large to process; take it at a lower resolution")

EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "application/pdf": "pdf",
}


class Rejected(Exception):
    """The upload is refused; ``message`` is an English msgid with ``params``."""

    def __init__(self, message: str, **params: object):
        super().__init__(message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Checked:
    """A file that passed: its stored bytes, type, name, and thumbnail."""

    data: bytes
    content_type: str
    filename: str
    sha256: str
    width: int | None
    height: int | None
    pages: int | None
    thumbnail: bytes | None


def human_bytes(n: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} B"


def sniff(data: bytes) -> str | None:
    """The content type from the first bytes; ``None`` for anything not accepted."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in data[:1024]:
        return "application/pdf"
    return None


_BAD_NAME_CHARS = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(filename: str, content_type: str) -> str:
    """The display name with its extension matching the content; hostile names refused."""
    name = (filename or "").strip()
    if not name:
        name = "upload"
    if _BAD_NAME_CHARS.search(name) or not safe_filename(name):
        raise Rejected(BAD_NAME)
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{stem[:120]}.{EXTENSIONS[content_type]}"


def check(data: bytes, filename: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Checked:
    """Check an upload by its content and prepare what is stored. Raises :class:`Rejected`."""
    if not data:
        raise Rejected(EMPTY)
    if len(data) > max_bytes:
        raise Rejected(TOO_BIG, max=human_bytes(max_bytes))
    content_type = sniff(data)
    if content_type is None:
        raise Rejected(BAD_TYPE)
    name = clean_name(filename, content_type)
    if content_type == "application/pdf":
        pages = _check_pdf(data)
        return Checked(
            data=data,
            content_type=content_type,
            filename=name,
            sha256=hashlib.sha256(data).hexdigest(),
            width=None,
            height=None,
            pages=pages,
            thumbnail=None,
        )
    stored, width, height, thumbnail = _normalise_image(data, content_type)
    return Checked(
        data=stored,
        content_type=content_type,
        filename=name,
        sha256=hashlib.sha256(stored).hexdigest(),
        width=width,
        height=height,
        pages=None,
        thumbnail=thumbnail,
    )


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise Rejected(TOO_MANY_PIXELS) from None
        except (UnidentifiedImageError, OSError, ValueError):
            raise Rejected(BAD_IMAGE) from None
    if image.width * image.height > MAX_PIXELS:
        raise Rejected(TOO_MANY_PIXELS)
    return image


_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def _normalise_image(data: bytes, content_type: str) -> tuple[bytes, int, int, bytes]:
    image = _open(data)
    if image.format != _FORMATS[content_type]:
        raise Rejected(BAD_IMAGE)
    try:
        image.verify()  # structural check; the image must be reopened afterwards
        image = _open(data)
        ImageOps.exif_transpose(image, in_place=True)  # loads it; no copy when upright
    except Rejected:
        raise
    except Exception:  # Pillow raises many kinds of errors on broken files
        raise Rejected(BAD_IMAGE) from None
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if content_type == "image/png":
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
    else:
        image = _flatten(image)
        image.save(out, _FORMATS[content_type], quality=88)
    return out.getvalue(), image.width, image.height, _thumbnail(image)


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode in ("RGB", "L"):
        return image
    if image.mode in ("RGBA", "LA", "P"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _thumbnail(image: Image.Image) -> bytes:
    thumb = _flatten(image.copy())
    # reducing_gap=1: box-reduce by a whole factor first, then resample the rest; for a
    # preview this looks the same and takes a third of the time of a full resample.
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), reducing_gap=1.0)
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=70)
    return out.getvalue()


# Keys and action types that make a PDF do something when opened. An /OpenAction
# that merely sets the first view is harmless and common, so actions are judged
# by their type (/S), wherever in the catalogue tree they sit.
_ACTIVE_KEYS = ("/JavaScript", "/JS", "/EmbeddedFiles", "/RichMedia")
_ACTIVE_ACTIONS = ("/JavaScript", "/Launch", "/ImportData", "/Rendition")


def _check_pdf(data: bytes) -> int:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.reader import PdfFileReader

    if b"%%EOF" not in data[-2048:]:
        raise Rejected(BAD_PDF)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            raise Rejected(BAD_PDF)
        root = reader.root
        pages = int(root["/Pages"]["/Count"])
    except Rejected:
        raise
    except Exception:
        raise Rejected(BAD_PDF) from None
    if not 0 < pages <= MAX_PDF_PAGES:
        raise Rejected(BAD_PDF)
    if _has_active_content(root, generic, depth=0, seen=set()):
        raise Rejected(ACTIVE_PDF)
    # Names may be written with #xx escapes (/J#61vaScript); look at the decoded bytes too.
    decoded = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), data)
    if re.search(rb"/(JavaScript|JS|Launch|EmbeddedFile)\b", decoded):
        raise Rejected(ACTIVE_PDF)
    return pages


def _has_active_content(obj, generic, *, depth: int, seen: set) -> bool:
    """Walk the catalogue (names, actions, annotations) looking for active content."""
    if depth > 12:
        return False
    try:
        if isinstance(obj, generic.IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                return False
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, generic.DictionaryObject):
            if any(k in obj for k in _ACTIVE_KEYS) or str(obj.get("/S", "")) in _ACTIVE_ACTIONS:
                return True
            return any(
                _has_active_content(v, generic, depth=depth + 1, seen=seen)
                for k, v in obj.items()
                if k not in ("/Parent", "/Contents", "/Resources")
            )
        if isinstance(obj, generic.ArrayObject):
            return any(
                _has_active_content(obj[i], generic, depth=depth + 1, seen=seen)
                for i in range(min(len(obj), 500))
            )
    except Exception:
        return True  # an unreadable structure is not given the benefit of the doubt
    return False


class ThumbnailStore:
    """Thumbnails, encrypted like the uploads they show (a thumbnail of an ID card is
    personal data too): ``var/materials/thumbs/<id>``, AES-GCM bound to the upload id."""

    def __init__(self, root: Path, key: bytes):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self.root = root
        self._aead = AESGCM(key)

    def path(self, upload_id: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}", upload_id):
            raise ValueError("not an upload id")
        return self.root / "thumbs" / upload_id

    def put(self, upload_id: str, data: bytes) -> None:
        nonce = os.urandom(12)
        _write_once(
            self.path(upload_id), nonce + self._aead.encrypt(nonce, data, upload_id.encode())
        )

    def read(self, upload_id: str) -> bytes | None:
        path = self.path(upload_id)
        if not path.exists():
            return None
        raw = path.read_bytes()
        return self._aead.decrypt(raw[:12], raw[12:], upload_id.encode())


def _write_once(path: Path, data: bytes) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # the rename is atomic: a crash leaves no half file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
