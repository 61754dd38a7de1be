"""Periodic jobs (the deadline sweep every minute) through the same outbox as everything else.

Every worker process runs :func:`schedule_forever`; each tick claims the
current slot of each periodic job with a row in the idempotency ledger
(``periodic:<actor>:<slot>``) and writes the outbox message in the same
transaction. However many workers tick, each slot is queued once; a worker
that dies before committing leaves the slot for the next tick, anyone's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from core.db import transaction
from core.jobs import outbox
from core.jobs.tables import ProcessedMessage

log = logging.getLogger("tongban.scheduler")

#: actor name -> period in seconds
PERIODIC: dict[str, int] = {"sweep_deadlines": 60}
KEEP_SLOTS = timedelta(days=1)


async def tick(now: datetime | None = None) -> list[str]:
    """Queue every periodic job whose current slot nobody has queued yet."""
    now = now or datetime.now(UTC)
    queued = []
    for actor, every in PERIODIC.items():
        slot = int(now.timestamp()) // every
        async with transaction():
            claimed = (
                await ProcessedMessage.insert(
                    ProcessedMessage(key=f"periodic:{actor}:{slot}", processed_at=now)
                )
                .on_conflict(target=ProcessedMessage.key, action="DO NOTHING")
                .returning(ProcessedMessage.id)
            )
            if claimed:
                await outbox.enqueue(actor, slot=slot)
                queued.append(actor)
        if claimed and slot % 60 == 0:
            await _prune(now)
    return queued


async def _prune(now: datetime) -> None:
    """Slots older than a day are never claimed again; drop their ledger rows."""
    await ProcessedMessage.delete().where(
        ProcessedMessage.key.like("periodic:%") & (ProcessedMessage.processed_at < now - KEEP_SLOTS)
    )


async def schedule_forever(interval: float = 5.0, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await tick()
        except Exception:
            log.exception("scheduler tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
