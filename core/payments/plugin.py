"""The payments module as a built-in plugin: fees against cases, channels, receipts."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.payments.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.payments.api import FeesApi
    from core.payments.routes import FeeQuoteController, PaymentsController

    return [FeesApi, FeeQuoteController, PaymentsController]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_actors():
    return ["core.payments.actors"]


#: Payment deadlines are days: looking once an hour reminds and lapses on the right day.
DEADLINES_SECONDS = 3600


@hookimpl
def tongban_periodic_jobs():
    """Payment deadlines of held results (``core.payments.actors.payment_deadlines``)."""
    return [("payment_deadlines", DEADLINES_SECONDS)]


@hookimpl
def tongban_case_event(case, event):
    """Assess a case's fees as soon as it is filed (idempotent; readers assess too);
    tell the applicant of a payment deadline near or passed."""
    if event["kind"] == "submit":
        from core.payments.services import assess_quietly

        return assess_quietly(case["id"])
    if event["kind"] in ("payment_reminder", "lapse"):
        from core.payments.notices import notify

        return notify(case, event)
    return None


@hookimpl
def tongban_before_case_action(case, action):
    """Unpaid fees block the issue step; paid or waived (0.00) fees let it proceed."""
    if action != "issue":
        return None
    from core.payments.services import check_paid_before_issue

    return check_paid_before_issue(case, action)


@hookimpl
def tongban_issue_hold(case):
    """A result issued automatically at approval waits while fees are due (shown with the code)."""
    from core.payments.services import hold_issue_until_paid

    return hold_issue_until_paid(case)


@hookimpl
def tongban_startup(app):
    """Check the declared payment channels now: a bad one stops start-up with its plugin's name;
    and the site's [payments] options (a bad one stops start-up naming the option)."""
    from core.payments.channels import get_channels
    from core.payments.terms import payment_terms

    get_channels()
    payment_terms()
