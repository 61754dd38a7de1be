"""Helpers for a plugin's own tests: the public testing API, like :mod:`core.api`.

A plugin's test suite runs against the installed core without a database::

    from core.testing import check_plugin, catalogue_item, validate_application

    def test_declarations_are_valid():
        assert check_plugin("my_plugin") == []

    def test_form_refuses_a_bad_id_number():
        result = validate_application("my_plugin", "990000000001", {"id_number": "123"})
        assert "id_number" in result.errors_by_path()

Each helper loads the core's built-in plugins and the named plugin only, so
another installed plugin's bug does not fail this plugin's tests.

For end-to-end tests (filing a case through the pages) see docs/plugins.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from core.catalog.forms import FieldError, FileInfo, FormResult, validate
from core.catalog.items import Item
from core.catalog.registry import Catalog, build_catalog
from core.plugins import make_plugin_manager

__all__ = ["FileInfo", "catalogue", "catalogue_item", "check_plugin", "validate_application"]


def check_plugin(name: str) -> list[str]:
    """Every problem with the installed plugin ``name``'s declarations ([] when all is well).

    Fails the same way ``tongban plugins check NAME`` does, including a plugin
    that is not installed (its entry point is not found).
    """
    from core.catalog.contract import check_plugins

    result = check_plugins()
    if not any(info.name == name for info in result.plugins) and not result.for_plugin(name):
        return [f"{name}: no plugin of that name is installed (entry point group tongban.plugins)"]
    return [str(problem) for problem in result.for_plugin(name)]


@lru_cache(maxsize=8)
def _manager(plugin: str):
    return make_plugin_manager(only={plugin})


def catalogue(plugin: str) -> Catalog:
    """The catalogue of the core plus ``plugin`` (start-up's checks apply: a bad
    declaration raises ``PluginError`` naming the plugin and the field)."""
    return build_catalog(_manager(plugin))


def catalogue_item(plugin: str, code: str) -> Item:
    return catalogue(plugin).items[code]


def validate_application(
    plugin: str,
    code: str,
    data: Mapping[str, Any],
    *,
    files: Mapping[str, FileInfo] | None = None,
    known_unit_codes: set[str] | None = None,
    filing_unit_code: str = "509910101201",
    filing_unit_level: str = "village",
) -> FormResult:
    """Validate ``data`` for item ``code`` as a filing would: the form schema, the
    computed fields, then every plugin's ``tongban_validate_submission``."""
    from core.cases.services import SubmissionContext

    catalog = catalogue(plugin)
    item = catalog.items[code]
    result = validate(
        item.form, data, computed=catalog.computed, files=files, known_unit_codes=known_unit_codes
    )
    if result.errors:
        return result
    context = SubmissionContext(
        item_code=code,
        filing_unit_code=filing_unit_code,
        filing_unit_level=filing_unit_level,
        channel="proxy",
    )
    errors: list[FieldError] = []
    for found in _manager(plugin).hook.tongban_validate_submission(
        item=item, values=result.values, context=context
    ):
        errors.extend(found or [])
    return FormResult(values=result.values, errors=errors)
