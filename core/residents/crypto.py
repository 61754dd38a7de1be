"""Personal data at rest: AES-GCM encryption plus a keyed hash for exact lookup.

Both keys are derived from the site's data key with HKDF, so one secret in
``var/data_key`` (or ``TONGBAN_DATA_KEY``) serves both without reusing a key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.settings import get_settings


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@lru_cache(maxsize=1)
def _keys() -> tuple[AESGCM, bytes]:
    master = get_settings().data_key
    return AESGCM(_derive(master, b"tongban personal data v1")), _derive(
        master, b"tongban lookup v1"
    )


def encrypt(text: str) -> str:
    if not text:
        return ""
    aead, _ = _keys()
    nonce = os.urandom(12)
    return base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, text.encode(), None)).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    aead, _ = _keys()
    raw = base64.urlsafe_b64decode(token)
    return aead.decrypt(raw[:12], raw[12:], None).decode()


def lookup_hash(kind: str, value: str) -> str:
    """Deterministic keyed hash: equal values match, the value cannot be recovered."""
    _, key = _keys()
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 8 else "****"


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "****"


def normalise_name(name: str) -> str:
    """The form of a name used for lookup: NFKC, no spaces, one kind of middle dot.

    Minority names are written with "·", "•", "‧" or "." between parts
    depending on the keyboard; all of them must find the same person.
    """
    text = unicodedata.normalize("NFKC", name)
    for dot in ("•", "‧", "∙", "・", "."):
        text = text.replace(dot, "·")
    return "".join(text.split())


def name_birth_hash(name: str, birth: object) -> str:
    """Keyed hash of (name, birth date) for the "name + birth date" search."""
    return lookup_hash("namebirth", f"{normalise_name(name)}|{birth}")


def mask_name(value: str) -> str:
    """Keep the family name's first character: 张三 -> 张*."""
    return value[:1] + "*" * max(len(value) - 1, 1) if value else ""
