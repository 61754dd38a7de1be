"""The reports module as a built-in plugin: supervision dashboards, reconciliation,
monthly reports and the red-case list, kept up to date from case events."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.reports.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.reports.monthly_routes import MonthlyController
    from core.reports.routes import DashboardController
    from core.reports.supervision_routes import SupervisionController

    return [DashboardController, SupervisionController, MonthlyController]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_actors():
    return ["core.reports.actors"]


@hookimpl
def tongban_periodic_jobs():
    """The reports' tick every ten minutes (nightly reconciliation, monthly compilation)."""
    from core.reports.actors import TICK_SECONDS

    return [("reports_tick", TICK_SECONDS)]


@hookimpl
def tongban_register_commands(cli):
    from core.reports.cli import reports

    cli.add_command(reports)


@hookimpl
def tongban_case_event(case, event):
    """Count the case again (idempotent); tell the holders of an urged case."""
    return _on_case_event(case, event)


async def _on_case_event(case: dict, event: dict) -> None:
    from core.reports.counting import count_case
    from core.reports.supervision import notify_holders

    await count_case(case["id"])
    if event["kind"] == "urge":
        await notify_holders(case, event)
