"""The payments module's actors, and its slot in the worker's periodic tick."""

from __future__ import annotations

import logging

import dramatiq

from core.jobs.broker import QUEUE

log = logging.getLogger("tongban.payments")


@dramatiq.actor(queue_name=QUEUE, max_retries=3, min_backoff=5000, time_limit=30 * 60_000)
async def payment_deadlines(outbox_id: int, slot: int = 0) -> None:
    """Remind applicants of payment deadlines near, end the held cases whose deadline passed.

    No ledger: each case is its own idempotent transaction (see core.payments.lapse),
    so a slot delivered twice, or killed and redelivered, does each change once.
    """
    from core.payments.lapse import run

    report = await run()
    if report.failed:
        log.warning(
            "payment deadlines %s: %s (failed cases are tried again next hour)", slot, report
        )
    elif report.reminded or report.lapsed:
        log.info("payment deadlines %s: %s", slot, report)
