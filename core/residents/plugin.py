"""The residents module as a built-in plugin."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.residents.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.residents.routes import ResidentController

    return [ResidentController]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]
