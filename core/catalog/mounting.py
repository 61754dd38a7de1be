"""Mounting plugins' routes and static files, each under the plugin's own URL prefix.

A department plugin owns ``/p/<plugin-name>/`` (its entry-point name) and
nothing else, so two plugins cannot shadow each other or a core page; its
static files are served at ``/p/<plugin-name>/static/``. The core's own
modules (the default plugins) mount where they like.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pluggy
from litestar import Controller, Router
from litestar.handlers import BaseRouteHandler

from core.plugins import DEFAULT_PLUGINS, PluginError, collect
from core.web.static import static_files_router


def plugin_prefix(plugin: str) -> str:
    return f"/p/{plugin}"


def handler_paths(handler: Any) -> list[str] | None:
    """The URL paths a hook entry mounts at, or None if it is not a route handler."""
    if isinstance(handler, type) and issubclass(handler, Controller):
        return [handler.path or "/"]
    if isinstance(handler, Router):
        return [handler.path or "/"]
    if isinstance(handler, BaseRouteHandler):
        return sorted(handler.paths) or ["/"]
    return None


def route_problems(plugin: str, handler: Any) -> list[str]:
    """What is wrong with one entry of a plugin's ``tongban_route_handlers``."""
    paths = handler_paths(handler)
    if paths is None:
        return [f"{handler!r} is not a Litestar controller, router or route handler"]
    if plugin in DEFAULT_PLUGINS:
        return []
    prefix = plugin_prefix(plugin)
    name = getattr(handler, "__name__", None) or getattr(handler, "handler_name", repr(handler))
    return [
        f"{name} is mounted at {path!r}; a plugin's routes must live under {prefix}/"
        for path in paths
        if not (path.rstrip("/") == prefix or path.startswith(prefix + "/"))
    ]


def static_dirs(pm: pluggy.PluginManager) -> dict[str, list[Path]]:
    """Each plugin's static folders, by plugin name."""
    found: dict[str, list[Path]] = {}
    for plugin, entry in collect(pm, "tongban_static_dirs"):
        found.setdefault(plugin, []).append(Path(entry))
    return found


def static_problems(plugin: str, folder: Path) -> list[str]:
    return [] if folder.is_dir() else [f"static folder {str(folder)!r} does not exist"]


def plugin_route_handlers(pm: pluggy.PluginManager) -> list[Any]:
    """Every plugin's route handlers plus a static-files router per plugin that has
    static folders; a handler outside its plugin's prefix stops start-up."""
    handlers: list[Any] = []
    for plugin, handler in collect(pm, "tongban_route_handlers"):
        problems = route_problems(plugin, handler)
        if problems:
            raise PluginError(plugin, f"tongban_route_handlers: {problems[0]}")
        handlers.append(handler)
    for plugin, folders in static_dirs(pm).items():
        for folder in folders:
            if problems := static_problems(plugin, folder):
                raise PluginError(plugin, f"tongban_static_dirs: {problems[0]}")
        # Hashed URLs (``static('x.css', plugin=...)`` in templates), as the core's own.
        handlers.append(
            static_files_router(
                f"{plugin_prefix(plugin)}/static", folders, name=f"static.{plugin}", plugin=plugin
            )
        )
    return handlers
