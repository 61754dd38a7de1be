"""The database-backed CA: keys encrypted at rest, the algorithm hook, rotation, demo set-up."""

from __future__ import annotations

import stat

import pytest

from core import hookimpl
from core.plugins import get_plugin_manager
from core.signing import authority, ca
from core.signing.backend import EcdsaP256Backend
from core.signing.keys import kek_for, site_backend, site_kek
from core.signing.tables import Certificate

from .flows import unit_id

SPARE_UNIT = "509920102000-BM"  # a unit no other signing test signs for


async def test_demo_site_made_its_ca_with_a_private_passphrase_file(app, site) -> None:
    assert await authority.is_initialised()
    path = site.var_dir / authority.ROOT_PASSPHRASE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    root = await Certificate.select().where(Certificate.active_for == "root").first()
    # The root key opens with the admin's passphrase only, never with the site key.
    ca.load_private_key(root["key_pem"].encode(), path.read_text().strip())
    with pytest.raises(ValueError):
        ca.load_private_key(root["key_pem"].encode(), site_kek())


async def test_no_private_key_is_stored_in_clear(app) -> None:
    rows = await Certificate.select(Certificate.key_pem, Certificate.kind)
    assert rows
    for row in rows:
        assert row["key_pem"].startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), row["kind"]


def test_site_key_encryption_key_depends_on_the_data_key() -> None:
    assert kek_for(b"a" * 32) != kek_for(b"b" * 32)
    assert kek_for(b"a" * 32) == kek_for(b"a" * 32)


async def test_rotating_the_issuing_ca_needs_the_root_passphrase(app, site) -> None:
    with pytest.raises(authority.WrongPassphrase):
        await authority.rotate_issuing("not the passphrase")
    old = await Certificate.select().where(Certificate.active_for == "issuing").first()
    passphrase = (site.var_dir / authority.ROOT_PASSPHRASE_FILE).read_text().strip()
    new = await authority.rotate_issuing(passphrase)
    assert new["serial"] != old["serial"]
    assert new["subject"] != old["subject"]  # "… Issuing CA 2": CRLs never mix them up
    seal = await authority.issue_unit_certificate(await unit_id(SPARE_UNIT))
    assert seal["issuer_serial"] == new["serial"]
    assert len(await authority.current_crls()) >= 2  # the old issuer still publishes its CRL


class RenamedBackend(EcdsaP256Backend):
    name = "test-renamed-p256"


class BackendPlugin:
    @staticmethod
    @hookimpl
    def tongban_signing_backend():
        return RenamedBackend()


async def test_the_signing_backend_comes_from_the_hook(app) -> None:
    assert site_backend().name == "ecdsa-p256-sha256"  # the core's default
    pm = get_plugin_manager()
    pm.register(BackendPlugin, name="test_backend")
    try:
        assert site_backend().name == "test-renamed-p256"
        row = await authority.issue_unit_certificate(await unit_id(SPARE_UNIT))
        assert row["backend"] == "test-renamed-p256"
    finally:
        pm.unregister(name="test_backend")
    signer = await authority.unit_signer(await unit_id(SPARE_UNIT))  # its name still resolves
    assert signer.backend.name == "test-renamed-p256"
