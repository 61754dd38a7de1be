"""The catalogue module as a built-in plugin."""

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.catalog.piccolo_app"]
