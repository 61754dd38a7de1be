"""The reports module's actors, and its slot in the worker's periodic tick."""

from __future__ import annotations

import dramatiq

from core.jobs.broker import QUEUE
from core.reports.periodic import TICK_TIME_LIMIT

TICK_SECONDS = 600


@dramatiq.actor(
    queue_name=QUEUE,
    max_retries=3,
    min_backoff=10_000,
    # A live run beats its heartbeat meanwhile (periodic.STALE_RUN): never taken for dead.
    time_limit=int(TICK_TIME_LIMIT.total_seconds() * 1000),
)
async def reports_tick(outbox_id: int, slot: int = 0) -> None:
    """Nightly reconciliation and monthly compilation, when due (see core.reports.periodic)."""
    from core.reports.periodic import run

    await run()
