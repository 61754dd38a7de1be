"""The deadlines module as a built-in plugin: calendar tables, the calendar admin."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.deadlines.piccolo_app"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]
