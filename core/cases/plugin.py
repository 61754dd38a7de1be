"""The cases module as a built-in plugin: its tables, pages, API and templates."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.cases.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.cases.api import CasesApi, StatusApi
    from core.cases.public import PublicStatusController
    from core.cases.routes import CaseController, DeskController, FilingController

    return [
        FilingController,
        CaseController,
        DeskController,
        PublicStatusController,
        CasesApi,
        StatusApi,
    ]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]
