"""The materials module as a built-in plugin: its table, upload routes and templates."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.materials.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.materials.routes import MaterialsController

    return [MaterialsController]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]
