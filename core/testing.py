"""Helpers for a plugin's own tests: the public testing API, like :mod:`core.api`.

A plugin's test suite runs against the installed core without a database::

    from core.testing import check_plugin, catalogue_item, render_document, validate_application

    def test_declarations_are_valid():
        assert check_plugin("my_plugin") == []

    def test_form_refuses_a_bad_id_number():
        result = validate_application("my_plugin", "990000000001", {"id_number": "123"})
        assert "id_number" in result.errors_by_path()

    def test_the_decision_letter_shows_the_monthly_amount():
        letter = render_document("my_plugin", "decision", "990000000001", {"birth_date": "1940-03-01"})
        assert ("月发放标准（元）", "100") in letter.rows

Each helper loads the core's built-in plugins and the named plugin only, so
another installed plugin's bug does not fail this plugin's tests.

For end-to-end tests (filing a case through the pages) see docs/plugins.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from core.catalog.forms import FieldError, FileInfo, FormResult, validate
from core.catalog.items import Item
from core.catalog.registry import Catalog, build_catalog
from core.plugins import make_plugin_manager

__all__ = [
    "FileInfo",
    "catalogue",
    "catalogue_item",
    "check_plugin",
    "render_document",
    "validate_application",
]


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


def render_document(
    plugin: str,
    kind: str,
    code: str,
    values: Mapping[str, Any],
    *,
    case: Mapping[str, Any] | None = None,
    holder_name: str = "王五",
    id_number_masked: str = "110***********002X",
):
    """Lay out a signed document of item ``code`` as the worker would, or ``None``.

    Calls ``tongban_render_document`` of the core plus ``plugin`` with what the
    worker passes: the item, a read-only case row (``case`` is merged over a
    filed-and-decided one: ``id``, ``item_code``, ``tracking_code``, ``state``,
    ``outcome`` — ``"approved"`` or ``"denied"`` — and ``decided_at``), the form
    ``values`` as stored with the case (JSON: ISO dates, decimal strings) and the
    holder (an object with ``name`` and ``id_number_masked``). Returns what the
    core signs — ``title``, ``rows``, ``paragraphs`` and ``extra`` (``number``,
    ``valid_until``) — or ``None`` when no plugin lays that document out (the
    core's own layout is used then).
    """
    from core.signing.notices import Holder, as_rendered

    item = catalogue_item(plugin, code)
    row: dict[str, Any] = {
        "id": 1,
        "item_code": code,
        "tracking_code": "509910261208000012",
        "state": "approved",
        "outcome": "approved",
        "decided_at": datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
        **(case or {}),
    }
    holder = Holder(resident_id=1, name=holder_name, id_number_masked=id_number_masked, id_hash="")
    answer = _manager(plugin).hook.tongban_render_document(
        kind=kind, item=item, case=row, values=dict(values), holder=holder
    )
    return as_rendered(answer)
