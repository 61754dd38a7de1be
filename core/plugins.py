"""The plugin manager: the core's defaults plus everything in ``tongban.plugins``.

Operators can restrict which plugins load with ``TONGBAN_PLUGINS=name,name``
(entry-point names; the core's defaults always load) and print every hook
call with ``TONGBAN_TRACE_HOOKS=1``.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import sys
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

import pluggy

from core import hookspecs

ENTRY_POINT_GROUP = "tongban.plugins"

# Built-in behaviour is itself a plugin, registered like any other: each core
# module declares its tables, routes, templates and roles through the same hooks.
DEFAULT_PLUGINS = (
    "core.tenancy.plugin",
    "core.catalog.plugin",
    "core.residents.plugin",
    "core.cases.plugin",
    "core.deadlines.plugin",
    "core.jobs.plugin",
    "core.payments.plugin",
    "core.materials.plugin",
    "core.workbench.plugin",
    "core.signing.plugin",
    "core.licences.plugin",
    "core.reviews.plugin",
    "core.reports.plugin",
    "core.web.plugin",
    "core.ops.plugin",
)

log = logging.getLogger("tongban.plugins")


class PluginError(Exception):
    """A plugin could not be loaded or declared something invalid."""

    def __init__(self, plugin: str, problem: str):
        self.plugin = plugin
        self.problem = problem
        super().__init__(f"plugin {plugin!r}: {problem}")


def make_plugin_manager(
    only: set[str] | None = None, extra: list[tuple[str, object]] | None = None
) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("tongban")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    if only is None and os.environ.get("TONGBAN_PLUGINS"):
        only = {n.strip() for n in os.environ["TONGBAN_PLUGINS"].split(",") if n.strip()}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if only is not None and ep.name not in only:
            continue
        if pm.has_plugin(ep.name):
            continue
        try:
            module = ep.load()
        except Exception as exc:  # report which plugin, then stop start-up
            raise PluginError(ep.name, f"cannot be imported: {exc!r}") from exc
        _register(pm, module, ep.name)
    for name, module in extra or ():
        _register(pm, module, name)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or "?"
        hook = next(iter(unknown_hooks(exc.plugin)), "")
        problem = f"{hook} is not a Tongban hook (misspelt?)" if hook else str(exc)
        raise PluginError(name, problem) from exc
    if os.environ.get("TONGBAN_TRACE_HOOKS"):
        pm.trace.root.setwriter(lambda msg: sys.stderr.write(f"[hook] {msg}"))
        pm.enable_tracing()
    return pm


def unknown_hooks(module: object) -> list[str]:
    """The ``tongban_*`` hook implementations of ``module`` that match no hook spec."""
    return [
        attr
        for attr in dir(module)
        if attr.startswith("tongban_")
        and getattr(getattr(module, attr), "tongban_impl", None) is not None
        and not hasattr(hookspecs, attr)
    ]


def signature_problem(module: object) -> tuple[str, str] | None:
    """(hook, what is wrong) with the arguments of ``module``'s hook implementations.

    A hook implementation may take any subset of its spec's arguments, by name;
    one that takes an argument the spec does not offer cannot be called.
    """
    for attr in sorted(dir(module)):
        spec = getattr(hookspecs, attr, None) if attr.startswith("tongban_") else None
        impl = getattr(module, attr, None)
        if spec is None or getattr(impl, "tongban_impl", None) is None:
            continue
        offered = list(inspect.signature(spec).parameters)
        taken = list(inspect.signature(impl).parameters)
        if unknown := [a for a in taken if a not in offered]:
            names = ", ".join(repr(a) for a in unknown)
            noun = "argument" if len(unknown) == 1 else "arguments"
            verb = "is not one" if len(unknown) == 1 else "are not ones"
            choices = ", ".join(offered) or "no arguments"
            return attr, f"{noun} {names} {verb} the hook offers (it offers {choices})"
    return None


def _register(pm: pluggy.PluginManager, module: object, name: str) -> None:
    """Register one plugin; a hook taking arguments its spec lacks stops start-up
    with the plugin's name (pluggy's own error names neither cleanly)."""
    try:
        pm.register(module, name=name)
    except pluggy.PluginValidationError as exc:
        found = signature_problem(module)
        raise PluginError(name, ": ".join(found) if found else str(exc)) from exc


@lru_cache(maxsize=1)
def get_plugin_manager() -> pluggy.PluginManager:
    """The process-wide plugin manager."""
    return make_plugin_manager()


def collect(pm: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
    """Call a list hook plugin by plugin, keeping who returned what.

    Declaration hooks are collected this way so that a bad declaration can be
    reported with the name of the plugin that made it.
    """
    results: list[tuple[str, Any]] = []
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):  # call order: tryfirst … trylast
        name = impl.plugin_name
        argnames = impl.argnames
        try:
            value = impl.function(**{k: kwargs[k] for k in argnames})
        except Exception as exc:
            raise PluginError(name, f"{hook_name} failed: {exc!r}") from exc
        if value is None:
            continue
        for entry in value if isinstance(value, list | tuple) else [value]:
            results.append((name, entry))
    return results


async def await_me_maybe(value: Any) -> Any:
    """Resolve a hook result that may be a value, a callable or an awaitable."""
    if callable(value) and not inspect.isclass(value):
        value = value()
    if inspect.isawaitable(value):
        value = await value
    return value


def piccolo_app_paths(pm: pluggy.PluginManager | None = None) -> list[str]:
    pm = pm or get_plugin_manager()
    return [path for _, path in collect(pm, "tongban_piccolo_apps")]


def load_plugin_actors(pm: pluggy.PluginManager | None = None) -> list[str]:
    """Declare the actors plugins add (``tongban_actors``) in this process; returns their names.

    Entries are Dramatiq actors (declared when their module was imported) or
    dotted module paths, imported here. Called wherever jobs run.
    """
    names: list[str] = []
    for plugin, entry in collect(pm or get_plugin_manager(), "tongban_actors"):
        if isinstance(entry, str):
            try:
                module = importlib.import_module(entry)
            except Exception as exc:
                raise PluginError(
                    plugin, f"tongban_actors: cannot import {entry}: {exc!r}"
                ) from exc
            names += [v.actor_name for v in vars(module).values() if hasattr(v, "actor_name")]
        elif hasattr(entry, "actor_name"):
            names.append(entry.actor_name)
        else:
            raise PluginError(plugin, f"tongban_actors: {entry!r} is neither an actor nor a module")
    return names
