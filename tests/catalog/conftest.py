"""Fixtures of the catalogue's tests: a department plugin registered while a test runs."""

from __future__ import annotations

import pytest

from core.catalog.registry import get_catalog
from core.plugins import get_plugin_manager
from tests.catalog import sample_plugin
from tests.helpers import drain


@pytest.fixture
async def with_sample_plugin(app, jobs):
    """The sample plugin joins the running site (catalogue rebuilt) and leaves after —
    once the worker has handled every message its cases caused, so that no later
    test's worker meets an item nobody declares any more."""
    pm = get_plugin_manager()
    pm.register(sample_plugin, name=sample_plugin.NAME)
    get_catalog.cache_clear()
    try:
        assert sample_plugin.ITEM_CODE in get_catalog().items
        yield sample_plugin
        await drain(jobs)
    finally:
        pm.unregister(name=sample_plugin.NAME)
        get_catalog.cache_clear()
