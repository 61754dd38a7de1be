"""Gzip for what it shrinks: Litestar's compression, minus already-compressed media."""

from __future__ import annotations

from litestar.middleware.compression import CompressionMiddleware

# Responses gzip cannot shrink: photos, scans, signed PDFs, spreadsheets (zip inside) …
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
TEXT_IMAGES = ("image/svg+xml",)  # text inside: gzip still pays


def already_compressed(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind.startswith(COMPRESSED_MEDIA) and kind not in TEXT_IMAGES


class MediaAwareCompression(CompressionMiddleware):
    """Litestar's gzip, except for responses whose content type is already compressed
    (:func:`already_compressed`) or that carry a ``Content-Encoding`` of their own: those
    are sent as they are. Litestar's config excludes by path or route only; the type
    covers every route that serves such files, plugins' included."""

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
