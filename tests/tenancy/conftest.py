"""The tenancy tests run on the session's demo site, with the catalogue synced."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
async def catalogue(site):
    """Item versions exist (cases need one), as after the app's start-up."""
    from core.catalog.versions import sync_versions

    await sync_versions()
    return site


@pytest.fixture(scope="module", autouse=True)
async def remove_bare_rows():
    """Bare cases sit in demo units' queues: take them away when the module is done."""
    yield
    from tests.tenancy.support import remove_created

    await remove_created()
