"""The residents module as a built-in plugin."""

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.residents.piccolo_app"]
