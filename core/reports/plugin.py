"""The reports module as a built-in plugin: supervision dashboards, reconciliation,
monthly reports and the red-case list, kept up to date from case events."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.reports.piccolo_app"]
