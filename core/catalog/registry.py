"""The catalogue: every item, unit kind and role the loaded plugins declare.

Built once at start-up from the plugin manager. Any bad declaration stops
start-up with a :class:`PluginError` naming the plugin and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import msgspec
import pluggy

from core.catalog.forms import _schema_error as schema_error
from core.catalog.items import Item
from core.catalog.quality import check_item
from core.plugins import PluginError, collect, get_plugin_manager
from core.tenancy.model import DEFAULT_LEVELS, Role, UnitKind


@dataclass
class Catalog:
    items: dict[str, Item] = field(default_factory=dict)
    item_plugin: dict[str, str] = field(default_factory=dict)
    unit_kinds: dict[str, UnitKind] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    computed: dict[str, Any] = field(default_factory=dict)

    def item(self, code: str) -> Item:
        return self.items[code]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a plugin's declarations, and where it is."""

    plugin: str
    where: str  # "item 000115002000 (pension.toml)", "unit kind tax_office", "routes"
    message: str

    def __str__(self) -> str:
        return f"{self.plugin}: {self.where}: {self.message}"


class _Report:
    """Raise at the first problem (start-up), or collect them all (``plugins check``)."""

    def __init__(self, problems: list[Problem] | None) -> None:
        self.problems = problems

    def __call__(self, plugin: str, where: str, message: str) -> None:
        if self.problems is None:
            raise PluginError(plugin, f"{where}: {message}")
        self.problems.append(Problem(plugin, where, message))


def _as_struct(entry: Any, cls: type) -> Any:
    """The struct, or raise msgspec.ValidationError naming the bad field."""
    if isinstance(entry, cls):
        return entry
    return msgspec.convert(entry, cls, strict=False)


def _item_sources(entry: Any) -> list[tuple[str, Any]]:
    """Expand a Path (file or folder of TOML files) into (label, data) pairs."""
    if isinstance(entry, Path):
        if not entry.exists():
            raise FileNotFoundError(f"{entry} does not exist")
        files = sorted(entry.glob("*.toml")) if entry.is_dir() else [entry]
        return [(f.name, f) for f in files]
    return [("", entry)]


def _read(source: Any) -> Any:
    if isinstance(source, Path):
        return tomllib.loads(source.read_text(encoding="utf-8"))
    return source


def _label(code: str, label: str) -> str:
    return f"item {code} ({label})" if label else f"item {code}"


def load_items(plugin: str, entry: Any, report: _Report | None = None) -> list[tuple[str, Item]]:
    """(label, item) for each item in a hook entry; bad ones are reported and skipped."""
    report = report or _Report(None)
    try:
        sources = _item_sources(entry)
    except (OSError, FileNotFoundError) as exc:
        report(plugin, "tongban_items", str(exc))
        return []
    items = []
    for label, source in sources:
        try:
            data = _read(source)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            report(plugin, _label("?", label), f"cannot be read: {exc}")
            continue
        code = data.get("code", "?") if isinstance(data, dict) else getattr(data, "code", "?")
        try:
            items.append((label, _as_struct(data, Item)))
        except msgspec.ValidationError as exc:
            report(plugin, _label(code, label), _field_problem(str(exc)))
    return items


def _field_problem(text: str, root: type = Item) -> str:
    """msgspec's "Invalid enum value 'colour' - at `$.form.fields[0].type`" ->
    "form.fields[0].type: unknown field type 'colour'" (the form loader's wording);
    an unknown item type or step kind is called that, with the values allowed."""
    error = schema_error(text, root)
    return f"{error.path}: {error.problem}" if error.path else error.problem


def build_catalog(
    pm: pluggy.PluginManager,
    levels: set[str] | None = None,
    problems: list[Problem] | None = None,
) -> Catalog:
    """The catalogue. Without ``problems`` the first bad declaration raises
    :class:`PluginError`; with a list, every problem is appended and the bad
    declaration skipped, so ``tongban plugins check`` can print them all."""
    report = _Report(problems)
    catalog = Catalog()
    levels = levels or {level.key for level in DEFAULT_LEVELS}
    for plugin, entry in _collect(pm, "tongban_unit_kinds", report):
        try:
            kind = _as_struct(entry, UnitKind)
        except msgspec.ValidationError as exc:
            report(plugin, "unit kind", _field_problem(str(exc), UnitKind))
            continue
        if kind.key in catalog.unit_kinds:
            report(plugin, f"unit kind {kind.key}", "is already declared")
            continue
        catalog.unit_kinds[kind.key] = kind
    for plugin, entry in _collect(pm, "tongban_roles", report):
        try:
            role = _as_struct(entry, Role)
        except msgspec.ValidationError as exc:
            report(plugin, "role", _field_problem(str(exc), Role))
            continue
        if role.key in catalog.roles:
            report(plugin, f"role {role.key}", "is already declared")
            continue
        catalog.roles[role.key] = role
    for plugin, entry in _collect(pm, "tongban_computed_fields", report):
        if not isinstance(entry, dict):
            report(plugin, "tongban_computed_fields", "must return a dict of name: function")
            continue
        for name, fn in entry.items():
            if not callable(fn):
                report(plugin, f"computed function {name}", "is not callable")
                continue
            catalog.computed[name] = fn
    for plugin, entry in _collect(pm, "tongban_items", report):
        for label, item in load_items(plugin, entry, report):
            where = _label(item.code, label)
            if item.code in catalog.items:
                other = catalog.item_plugin[item.code]
                report(plugin, where, f"duplicate item code (already declared by {other!r})")
                if problems is not None:  # which came first is load order: tell both
                    report(
                        other,
                        f"item {item.code}",
                        f"duplicate item code (also declared by {plugin!r})",
                    )
                continue
            found = check_item(
                item,
                roles=set(catalog.roles),
                unit_kinds=set(catalog.unit_kinds),
                levels=levels,
            )
            found += [
                f"form.fields: computed function {name!r} is not provided by any plugin"
                for name in _computed_names(item)
                if name not in catalog.computed
            ]
            if found:
                if problems is None:
                    raise PluginError(plugin, f"{where}: " + "; ".join(found))
                problems.extend(Problem(plugin, where, message) for message in found)
                continue
            catalog.items[item.code] = item
            catalog.item_plugin[item.code] = plugin
    return catalog


def _collect(pm: pluggy.PluginManager, hook: str, report: _Report) -> list[tuple[str, Any]]:
    if report.problems is None:
        return collect(pm, hook)
    found: list[tuple[str, Any]] = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        try:
            found += collect_one(impl, hook)
        except PluginError as exc:
            report(exc.plugin, hook, exc.problem.removeprefix(f"{hook} failed: "))
    return found


def collect_one(impl: Any, hook: str) -> list[tuple[str, Any]]:
    """One plugin's answer to a list hook, as (plugin, entry) pairs."""
    try:
        value = impl.function(**{k: None for k in impl.argnames})
    except Exception as exc:
        raise PluginError(impl.plugin_name, f"{hook} failed: {exc!r}") from exc
    if value is None:
        return []
    return [(impl.plugin_name, e) for e in (value if isinstance(value, list | tuple) else [value])]


def _computed_names(item: Item) -> list[str]:
    names = []
    stack = list(item.form.fields)
    while stack:
        f = stack.pop()
        if getattr(f, "compute", None):
            names.append(f.compute)
        stack.extend(getattr(f, "fields", None) or ())
    return names


@lru_cache(maxsize=1)
def get_catalog() -> Catalog:
    """The process-wide catalogue, built from the process-wide plugin manager."""
    return build_catalog(get_plugin_manager())
