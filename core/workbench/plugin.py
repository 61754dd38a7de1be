"""The village agent's workbench as a built-in plugin: its pages and templates."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_route_handlers():
    from core.workbench.routes import ROUTES

    return ROUTES


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]
