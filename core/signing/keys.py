"""The site's key-encryption secret and the signing algorithm in use.

Every private key except the root's is stored as PKCS#8 PEM encrypted with
a passphrase derived (HKDF) from the site's data key, with its own
``info`` label, so that this key never doubles as the personal-data key.
The root's key is encrypted with the city admin's passphrase instead and
is only needed offline (``tongban ca init`` / ``rotate-issuing``).

The algorithm is whatever the ``tongban_signing_backend`` hook returns
(first plugin wins; ECDSA P-256 by default), and each stored certificate
remembers its backend's name, so keys made under one algorithm keep
working after a site switches to another.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.settings import get_settings
from core.signing.backend import DEFAULT_BACKEND, SigningBackend, get_backend, register_backend

KEK_INFO = b"tongban signing keys v1"


def kek_for(data_key: bytes) -> str:
    """The key-encryption passphrase for a given data key (pure, for tests and tools)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEK_INFO).derive(data_key)
    return base64.urlsafe_b64encode(raw).decode("ascii")


@lru_cache(maxsize=1)
def site_kek() -> str:
    """The passphrase that encrypts this site's online private keys."""
    return kek_for(get_settings().data_key)


def site_backend() -> SigningBackend:
    """The backend new keys are made with, as chosen by the ``tongban_signing_backend`` hook."""
    from core.plugins import get_plugin_manager

    chosen = get_plugin_manager().hook.tongban_signing_backend()
    backend = chosen if chosen is not None else DEFAULT_BACKEND
    register_backend(backend)  # so certificates made with it can be used by name later
    return backend


def backend_named(name: str) -> SigningBackend:
    """The backend a stored key was made with (the hook's choice is registered first)."""
    site_backend()
    return get_backend(name)
