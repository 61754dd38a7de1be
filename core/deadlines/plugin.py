"""The deadlines module as a built-in plugin: calendar tables and the city admin's calendar."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.deadlines.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.deadlines.routes import CalendarAdminController, CalendarApi

    return [CalendarAdminController, CalendarApi]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


#: The deadline sweep (lights, escalations, silence-is-consent) runs every minute.
SWEEP_SECONDS = 60


@hookimpl
def tongban_periodic_jobs():
    """The deadline sweep, an actor of the jobs module (``core.jobs.actors.sweep_deadlines``)."""
    return [("sweep_deadlines", SWEEP_SECONDS)]
