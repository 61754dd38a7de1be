"""Shared fixtures for the deadline tests: one library-only calendar per session."""

from __future__ import annotations

import pytest

from core.deadlines.calendar import WorkingCalendar


@pytest.fixture(scope="session")
def cal() -> WorkingCalendar:
    """The official schedule from the ``holidays`` library, no site overrides."""
    return WorkingCalendar()
