"""Brotli or gzip for what they shrink: Litestar's compression, minus already-compressed media."""

from __future__ import annotations

from litestar.config.compression import CompressionConfig
from litestar.middleware.compression import CompressionMiddleware

# Responses compression cannot shrink: photos, scans, signed PDFs, spreadsheets (zip inside) …
# compressing them again costs CPU on every download for a few bytes at best.
COMPRESSED_MEDIA = (
    "image/",
    "audio/",
    "video/",
    "font/woff",
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/vnd.openxmlformats-officedocument.",
)
TEXT_IMAGES = ("image/svg+xml",)  # text inside: compression still pays

# Chosen by measurement (bench/page_weight.py, "compression of the real pages"; figures in
# bench/README.md): on the workbench, case, guide and catalogue-search pages, quality 5
# sends 13% fewer bytes than gzip -9 for ~0.03 ms more CPU per page; 6–8 save 2% more,
# and from 9 on brotli costs 2.5–6 ms per page (a fifth of its rendering) for 0.75×.
BROTLI_QUALITY = 5
GZIP_LEVEL = 9  # for browsers without brotli (plain HTTP, old ones): Litestar's default
MINIMUM_SIZE = 512  # below that, the headers weigh more than what is saved


def already_compressed(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(COMPRESSED_MEDIA) and kind not in TEXT_IMAGES


class MediaAwareCompression(CompressionMiddleware):
    """Litestar's brotli (``br``, for browsers that accept it) with gzip for the others,
    except for responses whose content type is already compressed
    (:func:`already_compressed`) or that carry a ``Content-Encoding`` of their own: those
    are sent as they are, whichever encoding the browser asked for. Litestar's config
    excludes by path or route only; the type covers every route that serves such files,
    plugins' included."""

    def create_compression_send_wrapper(self, send, compression_encoding, scope):
        compressing = super().create_compression_send_wrapper(send, compression_encoding, scope)
        as_is = False

        async def send_wrapper(message) -> None:
            nonlocal as_is
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers") or ()}
                as_is = b"content-encoding" in headers or already_compressed(
                    headers.get(b"content-type", b"").decode("latin-1")
                )
            await (send if as_is else compressing)(message)

        return send_wrapper


def compression_config(**overrides) -> CompressionConfig:
    """The app's compression: ``br`` to browsers that accept it, gzip to the rest
    (Litestar's fallback), nothing below :data:`MINIMUM_SIZE` or for compressed media.
    ``overrides`` are for the page-weight bench, which compares settings."""
    settings = {
        "backend": "brotli",
        "brotli_quality": BROTLI_QUALITY,
        "brotli_gzip_fallback": True,
        "gzip_compress_level": GZIP_LEVEL,
        "minimum_size": MINIMUM_SIZE,
        "middleware_class": MediaAwareCompression,
        **overrides,
    }
    return CompressionConfig(**settings)
