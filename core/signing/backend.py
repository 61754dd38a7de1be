"""The signature algorithm, behind one small seam.

Chinese government deployments may be required to sign with SM2/SM3
(GM/T 0003, GM/T 0004) instead of ECDSA P-256/SHA-256.  Every other module
of :mod:`core.signing` asks a :class:`SigningBackend` for keys, the hash and
raw signatures instead of naming an algorithm itself, so a plugin can
register an SM2 backend (:func:`register_backend`) without touching the CA,
CMS, PDF or QR code.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificateIssuerPrivateKeyTypes,
    CertificatePublicKeyTypes,
)
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

__all__ = [
    "DEFAULT_BACKEND",
    "EcdsaP256Backend",
    "SigningBackend",
    "get_backend",
    "register_backend",
]


@runtime_checkable
class SigningBackend(Protocol):
    """What the signing code needs to know about an algorithm.

    ``name`` is stored beside every key and certificate so that a site that
    switches algorithm can still verify what it signed before.
    ``digest_name`` is the hash's name as pyHanko and CMS spell it
    (``"sha256"``, ``"sm3"``).
    """

    name: str
    digest_name: str

    def generate_private_key(self) -> CertificateIssuerPrivateKeyTypes:
        """Return a fresh private key usable with ``cryptography``'s X.509 builders."""
        ...

    def hash_algorithm(self) -> hashes.HashAlgorithm:
        """Return the hash the signatures are made with."""
        ...

    def sign(self, key: CertificateIssuerPrivateKeyTypes, data: bytes) -> bytes:
        """Sign ``data`` and return a fixed-length compact signature (for QR codes)."""
        ...

    def verify(self, public_key: CertificatePublicKeyTypes, signature: bytes, data: bytes) -> bool:
        """Check a compact signature made by :meth:`sign`; never raises on a bad one."""
        ...


class EcdsaP256Backend:
    """ECDSA over NIST P-256 with SHA-256: the default, fast and widely verifiable.

    Compact signatures are ``r || s`` as two 32-byte big-endian integers
    (64 bytes) rather than DER, because they go into a QR code where every
    byte costs module density.
    """

    name = "ecdsa-p256-sha256"
    digest_name = "sha256"
    _size = 32

    def generate_private_key(self) -> ec.EllipticCurvePrivateKey:
        return ec.generate_private_key(ec.SECP256R1())

    def hash_algorithm(self) -> hashes.HashAlgorithm:
        return hashes.SHA256()

    def sign(self, key: CertificateIssuerPrivateKeyTypes, data: bytes) -> bytes:
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise TypeError("EcdsaP256Backend needs a P-256 private key")
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(self.hash_algorithm())))
        return r.to_bytes(self._size, "big") + s.to_bytes(self._size, "big")

    def verify(self, public_key: CertificatePublicKeyTypes, signature: bytes, data: bytes) -> bool:
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            return False
        if len(signature) != 2 * self._size:
            return False
        r = int.from_bytes(signature[: self._size], "big")
        s = int.from_bytes(signature[self._size :], "big")
        try:
            public_key.verify(encode_dss_signature(r, s), data, ec.ECDSA(self.hash_algorithm()))
        except InvalidSignature:
            return False
        return True


DEFAULT_BACKEND: SigningBackend = EcdsaP256Backend()

_BACKENDS: dict[str, SigningBackend] = {DEFAULT_BACKEND.name: DEFAULT_BACKEND}


def register_backend(backend: SigningBackend) -> None:
    """Make ``backend`` available by name; called from a plugin hook (e.g. SM2)."""
    if not isinstance(backend, SigningBackend):
        raise TypeError("backend does not implement SigningBackend")
    _BACKENDS[backend.name] = backend


def get_backend(name: str | None = None) -> SigningBackend:
    """Return the backend called ``name``, or the default when ``name`` is None."""
    if name is None:
        return DEFAULT_BACKEND
    try:
        return _BACKENDS[name]
    except KeyError:
        raise LookupError(f"unknown signing backend: {name}") from None
