"""The jobs module as a built-in plugin."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.jobs.piccolo_app"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_register_commands(cli):
    from core.jobs.cli import jobs

    cli.add_command(jobs)
