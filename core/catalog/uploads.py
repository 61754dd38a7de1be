"""Files uploaded for a form's file fields: stored encrypted, handed back by token.

A scanned ID card or household register is personal data, so the bytes are
encrypted at rest (AES-GCM, a key derived from the site's data key for this
purpose alone). The form carries only the token; :func:`files_for` returns the
uploads a staff member may put into a submission, which is what the form
validator's ``files=`` needs to refuse a guessed or foreign token.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.catalog.fields import HARD_MAX_BYTES, FileInfo
from core.catalog.tables import Upload
from core.settings import get_settings

TOKEN_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}\Z")
MAX_LOOKUP = 500


@lru_cache(maxsize=1)
def _aead() -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tongban uploads v1").derive(
        get_settings().data_key
    )
    return AESGCM(key)


def _folder() -> Path:
    folder = get_settings().var_dir / "uploads"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


async def store(staff_id: int, filename: str, content_type: str, content: bytes) -> dict:
    """Keep an upload; returns ``{token, filename, content_type, size}``.

    The caller (the web layer) has already capped the size; the validator
    decides later whether the field accepts this type and size.
    """
    if len(content) > HARD_MAX_BYTES:
        raise ValueError("upload too large")
    token = "u" + secrets.token_urlsafe(24)  # a token must start with a letter or digit (TOKEN_RE)
    nonce = os.urandom(12)
    path = _folder() / token
    path.write_bytes(nonce + _aead().encrypt(nonce, content, token.encode()))
    row = {
        "token": token,
        "filename": (filename or "")[:255],
        "content_type": (content_type or "application/octet-stream")[:128],
        "size": len(content),
    }
    await Upload.insert(Upload(staff=staff_id, sha256=hashlib.sha256(content).hexdigest(), **row))
    return row


def tokens_in(data: object, limit: int = MAX_LOOKUP) -> list[str]:
    """Every string in submitted data that could be an upload token (at most ``limit``)."""
    found: list[str] = []
    stack = [data]
    while stack and len(found) < limit:
        node = stack.pop()
        if isinstance(node, str):
            if TOKEN_RE.match(node) and len(node) >= 16:
                found.append(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return found


async def files_for(staff_id: int | None, tokens: Iterable[str]) -> dict[str, FileInfo]:
    """The uploads among ``tokens`` that ``staff_id`` made, as the validator wants them."""
    tokens = list(dict.fromkeys(tokens))[:MAX_LOOKUP]
    if staff_id is None or not tokens:
        return {}
    rows = await Upload.select(
        Upload.token, Upload.filename, Upload.content_type, Upload.size
    ).where(Upload.token.is_in(tokens) & (Upload.staff == staff_id))
    return {
        r["token"]: FileInfo(content_type=r["content_type"], size=r["size"], filename=r["filename"])
        for r in rows
    }


async def read(token: str) -> tuple[dict, bytes] | None:
    """The upload's record and decrypted bytes, or None. Callers check who may see it."""
    if not TOKEN_RE.match(token or ""):
        return None
    row = await Upload.select().where(Upload.token == token).first()
    if row is None:
        return None
    raw = (_folder() / token).read_bytes()
    return row, _aead().decrypt(raw[:12], raw[12:], token.encode())
