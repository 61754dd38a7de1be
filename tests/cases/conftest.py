"""Fixtures for the case tests: the test world (plugins, offices, staff) and a movable clock."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.cases.world import World, build_units_and_staff, register_plugins, unregister_plugins


@pytest.fixture(scope="module")
async def world(site):
    """Two test department plugins, their offices and staff, for this test module."""
    register_plugins()
    staff = await build_units_and_staff()
    yield World(staff)
    unregister_plugins()


class MovableClock:
    """What case handling believes the time is (``core.cases.timing.utcnow``)."""

    def __init__(self) -> None:
        self.now: dt.datetime | None = None

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment.astimezone(dt.UTC)
        return self.now

    def advance(self, **delta) -> dt.datetime:
        assert self.now is not None, "set the clock first"
        self.now = self.now + dt.timedelta(**delta)
        return self.now

    def __call__(self) -> dt.datetime:
        return self.now or dt.datetime.now(dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    from core.cases import timing

    moving = MovableClock()
    monkeypatch.setattr(timing, "utcnow", moving)
    return moving
