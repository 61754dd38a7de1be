"""The plugin contract, checked as a whole: what ``tongban plugins check`` reports.

Start-up stops at the first bad declaration (:func:`build_catalog` raises);
this module instead collects *every* problem of every plugin — or of one —
with where it is, so an author fixes them all in one round. It also loads the
actors plugins declare, for the worker.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pluggy

from core import hookspecs
from core.catalog.items import Item
from core.catalog.mounting import route_problems, static_problems
from core.catalog.registry import Catalog, Problem, build_catalog, collect_one
from core.plugins import (
    DEFAULT_PLUGINS,
    ENTRY_POINT_GROUP,
    signature_problem,
    unknown_hooks,
)


@dataclass
class PluginInfo:
    name: str
    module: str
    distribution: str = ""
    version: str = ""
    hooks: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    builtin: bool = False


@dataclass
class CheckResult:
    plugins: list[PluginInfo]
    problems: list[Problem]
    catalog: Catalog
    # Not wrong, but worth fixing; they do not stop start-up nor fail the check.
    warnings: list[Problem] = field(default_factory=list)
    route_step: Any = None  # the checked plugins' tongban_route_step hook

    def for_plugin(self, name: str) -> list[Problem]:
        return [p for p in self.problems if p.plugin == name]

    def warnings_for(self, name: str) -> list[Problem]:
        return [p for p in self.warnings if p.plugin == name]


def _tolerant_manager(problems: list[Problem]) -> tuple[pluggy.PluginManager, list[PluginInfo]]:
    """Like :func:`core.plugins.make_plugin_manager`, but a plugin that cannot be
    imported or misspells a hook is reported and left out instead of stopping."""
    pm = pluggy.PluginManager("tongban")
    pm.add_hookspecs(hookspecs)
    infos = []
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
        infos.append(PluginInfo(name=name, module=name, builtin=True))
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if pm.has_plugin(ep.name):
            continue
        dist = ep.dist
        info = PluginInfo(
            name=ep.name,
            module=ep.value,
            distribution=dist.metadata["Name"] if dist else "",
            version=dist.version if dist else "",
        )
        try:
            module = ep.load()
        except Exception as exc:
            problems.append(Problem(ep.name, "import", f"cannot be imported: {exc!r}"))
            continue
        misspelt = unknown_hooks(module)
        for attr in misspelt:
            problems.append(Problem(ep.name, attr, "is not a Tongban hook (misspelt?)"))
        if misspelt:
            continue
        try:
            pm.register(module, name=ep.name)
        except Exception as exc:  # e.g. a hook taking an argument the spec does not offer
            hook, message = signature_problem(module) or ("register", str(exc))
            problems.append(Problem(ep.name, hook, message))
            continue
        infos.append(info)
    for info in infos:
        plugin = pm.get_plugin(info.name)
        info.hooks = sorted(hc.name for hc in pm.get_hookcallers(plugin) or ())
    return pm, infos


def _check_web(pm: pluggy.PluginManager, problems: list[Problem]) -> None:
    for hook, check in (
        ("tongban_route_handlers", route_problems),
        ("tongban_static_dirs", lambda p, e: static_problems(p, Path(e))),
        ("tongban_template_dirs", _folder_problems),
        ("tongban_locale_dirs", _folder_problems),
    ):
        for plugin, entry in _entries(pm, hook, problems):
            problems += [Problem(plugin, hook, m) for m in check(plugin, entry)]


def _folder_problems(plugin: str, entry: Any) -> list[str]:
    try:
        folder = Path(entry)
    except TypeError:
        return [f"{entry!r} is not a folder path"]
    return [] if folder.is_dir() else [f"folder {str(folder)!r} does not exist"]


def _check_translations(
    pm: pluggy.PluginManager, names: set[str], problems: list[Problem], warnings: list[Problem]
) -> None:
    """The catalogues of the plugins ``names`` (the core's own are checked by
    ``scripts/i18n.py check``): broken placeholders and unreadable or missing .po
    files are problems, messages without Chinese and fuzzy entries warnings."""
    from core.i18n_check import ERROR, check_package

    for plugin, entry in _entries(pm, "tongban_locale_dirs", []):
        try:
            folder = Path(entry)
        except TypeError:
            continue  # reported by _check_web
        if plugin not in names or not folder.is_dir():
            continue
        try:
            findings = check_package(folder)
        except Exception as exc:  # noqa: BLE001 - e.g. a source Babel cannot tokenize
            problems.append(Problem(plugin, "tongban_locale_dirs", f"cannot check: {exc!r}"))
            continue
        for finding in findings:
            found = Problem(plugin, finding.where, finding.message)
            (problems if finding.severity == ERROR else warnings).append(found)


def _check_modules(pm: pluggy.PluginManager, problems: list[Problem]) -> None:
    for plugin, path in _entries(pm, "tongban_piccolo_apps", problems):
        try:
            module = importlib.import_module(path)
        except Exception as exc:
            problems.append(Problem(plugin, "tongban_piccolo_apps", f"{path}: {exc!r}"))
            continue
        if getattr(module, "APP_CONFIG", None) is None:
            problems.append(Problem(plugin, "tongban_piccolo_apps", f"{path} has no APP_CONFIG"))
    for plugin, entry in _entries(pm, "tongban_actors", problems):
        if isinstance(entry, str):
            try:
                importlib.import_module(entry)
            except Exception as exc:
                problems.append(Problem(plugin, "tongban_actors", f"{entry}: {exc!r}"))
        elif not hasattr(entry, "actor_name"):
            problems.append(
                Problem(plugin, "tongban_actors", f"{entry!r} is neither an actor nor a module")
            )


def _entries(pm: pluggy.PluginManager, hook: str, problems: list[Problem]) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for impl in reversed(getattr(pm.hook, hook).get_hookimpls()):
        try:
            found += collect_one(impl, hook)
        except Exception as exc:
            problems.append(Problem(impl.plugin_name, hook, str(exc)))
    return found


def check_plugins() -> CheckResult:
    """Load every installed plugin and collect every problem of its declarations."""
    problems: list[Problem] = []
    pm, infos = _tolerant_manager(problems)
    catalog = build_catalog(pm, problems=problems)
    _check_web(pm, problems)
    _check_modules(pm, problems)
    for info in infos:
        info.items = sorted(code for code, p in catalog.item_plugin.items() if p == info.name)
    warnings = [
        Problem(catalog.item_plugin[code], f"item {code}", message)
        for code, item in catalog.items.items()
        for message in missing_english(item)
    ]
    _check_translations(pm, {i.name for i in infos if not i.builtin}, problems, warnings)
    return CheckResult(
        plugins=infos,
        problems=problems,
        catalog=catalog,
        warnings=warnings,
        route_step=pm.hook.tongban_route_step,
    )


def missing_english(item: Item) -> list[str]:
    """The item's texts that have Chinese but no English — its name, form fields and
    choices, materials' names, notes and conditions, the reason to come in, the result's
    validity: an English-speaking user sees the Chinese instead."""
    found = [] if item.name_en.strip() else ["name_en: no English name"]
    if item.visit_reason.strip() and not item.visit_reason_en.strip():
        found.append("visit_reason_en: no English reason to come in")
    if item.result and item.result.validity.strip() and not item.result.validity_en.strip():
        found.append("result.validity_en: no English validity")
    for index, m in enumerate(item.materials):
        where = f"materials[{index}] ({m.code})"
        for attr in ("name", "note", "condition"):
            if getattr(m, attr).strip() and not getattr(m, f"{attr}_en").strip():
                found.append(f"{where}.{attr}_en: no English {attr}")

    def walk(fields, prefix: str) -> None:
        for index, f in enumerate(fields):
            where = f"{prefix}[{index}] ({f.name})"
            if not f.label_en.strip():
                found.append(f"{where}.label_en: no English label")
            for number, choice in enumerate(f.choices):
                if not choice.label_en.strip():
                    found.append(
                        f"{where}.choices[{number}] ({choice.value}).label_en: no English label"
                    )
            walk(f.fields, f"{where}.fields")

    walk(item.form.fields, "form.fields")
    return found
