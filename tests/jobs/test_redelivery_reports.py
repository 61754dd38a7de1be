"""The reports' tick delivered again after a failure: the nightly reconciliation is redone.

``reconcile`` records its error on the run and raises "for the worker's retry";
the retried ``reports_tick`` must then reconcile again, not take the failed run
for the night's done one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.reports import periodic, reconcile
from core.reports.tables import ReconciliationRun

# 03:00 in Shanghai on 19 November 2026: after the nightly hour, a night no other test uses.
NIGHT = datetime(2026, 11, 18, 19, 0, tzinfo=UTC)


async def test_a_reconciliation_that_failed_is_done_again_when_the_tick_is_retried(
    site, monkeypatch
):
    real = reconcile.check_gauges
    failures = []

    async def fails_once(outcome, *, repair):
        if not failures:
            failures.append(1)
            raise ConnectionError("the database went away")
        return await real(outcome, repair=repair)

    monkeypatch.setattr(reconcile, "check_gauges", fails_once)
    with pytest.raises(ConnectionError):
        await periodic.run(NIGHT)
    retried = await periodic.run(NIGHT + timedelta(seconds=10))
    assert "reconciled" in retried
    runs = await ReconciliationRun.select(ReconciliationRun.error).where(
        (ReconciliationRun.run_on == NIGHT.date() + timedelta(days=1))
        & (ReconciliationRun.trigger == "nightly")
    )
    assert sorted(bool(r["error"]) for r in runs) == [False, True]
    # Done now: the next tick of the night leaves it alone.
    assert "reconciled" not in await periodic.run(NIGHT + timedelta(minutes=10))


async def test_a_reconciliation_that_keeps_failing_is_left_to_the_next_night(site, monkeypatch):
    night = NIGHT + timedelta(days=1)

    async def always_fails(outcome, *, repair):
        raise ConnectionError("the database went away")

    monkeypatch.setattr(reconcile, "check_gauges", always_fails)
    for attempt in range(periodic.FAILED_RUNS_A_NIGHT):
        with pytest.raises(ConnectionError):
            await periodic.run(night + timedelta(minutes=attempt))
    assert "reconciled" not in await periodic.run(night + timedelta(minutes=10))
