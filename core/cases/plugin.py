"""The cases module as a built-in plugin: its tables, pages, API, templates, and the
core's own reactions to case events (notifications) and notification channel."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.cases.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.cases.api import BundlesApi, CasesApi, StatusApi
    from core.cases.area import AreaController
    from core.cases.bundle_routes import BundleFilingController
    from core.cases.case_routes import CaseController, DeskController
    from core.cases.public import PublicStatusController
    from core.cases.routes import FilingController

    return [
        FilingController,
        BundleFilingController,
        CaseController,
        AreaController,
        DeskController,
        PublicStatusController,
        CasesApi,
        BundlesApi,
        StatusApi,
    ]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_case_event(case, event):
    """Tell the applicant, the filing agent or the supervisor (see core.cases.notifications)."""
    from core.cases.notifications import record_for_event

    return record_for_event(case, event)


@hookimpl(trylast=True)
def tongban_notification_channels():
    from core.cases.notifications import RecordChannel

    return [RecordChannel()]


@hookimpl
def tongban_startup(app):
    """A bad bundle declaration stops start-up here, naming its plugin."""
    from core.cases.bundles import get_bundles

    get_bundles()
