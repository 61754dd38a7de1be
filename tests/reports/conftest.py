"""Fixtures of the supervision tests: the test department plugin, the test district,
and a clock the tests move (module-scoped: a module seeds its cases once)."""

from __future__ import annotations

import pytest

from core.cases.bundles import get_bundles
from core.catalog.registry import get_catalog
from core.plugins import get_plugin_manager
from tests.reports import supervision_plugin
from tests.reports.world import Codes, TimeMachine, build_world


@pytest.fixture(scope="module")
def fixture_plugin(app):
    """The tests' department plugin joins the running site and leaves after the module."""
    pm = get_plugin_manager()
    pm.register(supervision_plugin, name=supervision_plugin.NAME)
    get_catalog.cache_clear()
    get_bundles.cache_clear()
    try:
        yield supervision_plugin
    finally:
        pm.unregister(name=supervision_plugin.NAME)
        get_catalog.cache_clear()
        get_bundles.cache_clear()


@pytest.fixture(scope="module")
async def world(site, request):
    """The module's own district (its ``COUNTY``), with units and staff."""
    return await build_world(Codes(getattr(request.module, "COUNTY", 80)))


@pytest.fixture(scope="module")
def time_machine():
    with pytest.MonkeyPatch.context() as patch:
        yield TimeMachine(patch)
