"""The algorithm seam: the default backend really signs, and plugins can add one."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from core.signing import backend as backend_mod
from core.signing.backend import (
    DEFAULT_BACKEND,
    EcdsaP256Backend,
    SigningBackend,
    get_backend,
    register_backend,
)


def test_default_is_ecdsa_p256_sha256() -> None:
    assert isinstance(DEFAULT_BACKEND, EcdsaP256Backend)
    assert isinstance(DEFAULT_BACKEND, SigningBackend)
    key = DEFAULT_BACKEND.generate_private_key()
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"
    assert isinstance(DEFAULT_BACKEND.hash_algorithm(), hashes.SHA256)
    assert DEFAULT_BACKEND.name == "ecdsa-p256-sha256"
    assert DEFAULT_BACKEND.digest_name == "sha256"


def test_compact_signature_round_trip_and_rejections() -> None:
    key = DEFAULT_BACKEND.generate_private_key()
    sig = DEFAULT_BACKEND.sign(key, b"payload")
    assert len(sig) == 64
    assert DEFAULT_BACKEND.verify(key.public_key(), sig, b"payload")
    assert not DEFAULT_BACKEND.verify(key.public_key(), sig, b"payloae")
    assert not DEFAULT_BACKEND.verify(key.public_key(), sig[:-1] + bytes([sig[-1] ^ 1]), b"payload")
    assert not DEFAULT_BACKEND.verify(key.public_key(), sig[:63], b"payload")
    other = DEFAULT_BACKEND.generate_private_key()
    assert not DEFAULT_BACKEND.verify(other.public_key(), sig, b"payload")
    assert not DEFAULT_BACKEND.verify(ed25519.Ed25519PrivateKey.generate().public_key(), sig, b"x")


def test_sign_refuses_other_curves() -> None:
    with pytest.raises(TypeError):
        DEFAULT_BACKEND.sign(ec.generate_private_key(ec.SECP384R1()), b"x")


def test_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backend_mod, "_BACKENDS", dict(backend_mod._BACKENDS))

    class Renamed(EcdsaP256Backend):
        name = "test-backend"

    assert get_backend() is DEFAULT_BACKEND
    assert get_backend("ecdsa-p256-sha256") is DEFAULT_BACKEND
    with pytest.raises(LookupError):
        get_backend("test-backend")
    plugged = Renamed()
    register_backend(plugged)
    assert get_backend("test-backend") is plugged
    with pytest.raises(TypeError):
        register_backend(object())  # type: ignore[arg-type]
