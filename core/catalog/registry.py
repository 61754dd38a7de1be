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


def _as_struct(plugin: str, what: str, entry: Any, cls: type) -> Any:
    if isinstance(entry, cls):
        return entry
    try:
        return msgspec.convert(entry, cls, strict=False)
    except msgspec.ValidationError as exc:
        raise PluginError(plugin, f"{what}: {exc}") from exc


def _item_sources(entry: Any) -> list[tuple[str, Any]]:
    """Expand a Path (file or folder of TOML files) into (label, data) pairs."""
    if isinstance(entry, Path):
        files = sorted(entry.glob("*.toml")) if entry.is_dir() else [entry]
        return [(f.name, tomllib.loads(f.read_text(encoding="utf-8"))) for f in files]
    return [("item", entry)]


def load_items(plugin: str, entry: Any) -> list[Item]:
    items = []
    for label, data in _item_sources(entry):
        try:
            items.append(_as_struct(plugin, label, data, Item))
        except PluginError as exc:
            code = data.get("code", "?") if isinstance(data, dict) else "?"
            raise PluginError(
                plugin, f"item {code} ({label}): {exc.problem.split(': ', 1)[-1]}"
            ) from exc
    return items


def build_catalog(pm: pluggy.PluginManager, levels: set[str] | None = None) -> Catalog:
    catalog = Catalog()
    levels = levels or {level.key for level in DEFAULT_LEVELS}
    for plugin, entry in collect(pm, "tongban_unit_kinds"):
        kind = _as_struct(plugin, "unit kind", entry, UnitKind)
        if kind.key in catalog.unit_kinds:
            raise PluginError(plugin, f"unit kind {kind.key!r} is already declared")
        catalog.unit_kinds[kind.key] = kind
    for plugin, entry in collect(pm, "tongban_roles"):
        role = _as_struct(plugin, "role", entry, Role)
        if role.key in catalog.roles:
            raise PluginError(plugin, f"role {role.key!r} is already declared")
        catalog.roles[role.key] = role
    for _plugin, entry in collect(pm, "tongban_computed_fields"):
        for name, fn in dict(entry).items() if isinstance(entry, dict) else []:
            catalog.computed[name] = fn
    for plugin, entry in collect(pm, "tongban_items"):
        for item in load_items(plugin, entry):
            if item.code in catalog.items:
                other = catalog.item_plugin[item.code]
                raise PluginError(
                    plugin, f"item {item.code}: duplicate item code (already declared by {other!r})"
                )
            problems = check_item(
                item,
                roles=set(catalog.roles),
                unit_kinds=set(catalog.unit_kinds),
                levels=levels,
            )
            problems += [
                f"form.fields: computed function {name!r} is not provided by any plugin"
                for name in _computed_names(item)
                if name not in catalog.computed
            ]
            if problems:
                raise PluginError(plugin, f"item {item.code}: " + "; ".join(problems))
            catalog.items[item.code] = item
            catalog.item_plugin[item.code] = plugin
    return catalog


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
