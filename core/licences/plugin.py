"""The e-licence library as a built-in plugin."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.licences.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.licences.api import LicencesApi
    from core.licences.routes import CaseLicencesController

    return [LicencesApi, CaseLicencesController]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
async def tongban_case_event(case, event):
    """Issue the e-licence when a licence-bearing item's result is issued."""
    from core.licences.issuing import issue_licences

    await issue_licences(case, event)
