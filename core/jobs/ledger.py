"""Run a job's effect at most once per message, even if the message is delivered twice."""

from __future__ import annotations

from contextlib import asynccontextmanager

from core.db import transaction
from core.jobs.tables import ProcessedMessage


@asynccontextmanager
async def once(key: str):
    """Yield True the first time ``key`` is seen; the effect commits with the ledger row.

    The ledger row and the job's database effects share one transaction: a
    worker killed mid-job leaves neither, so the redelivered message redoes it.
    """
    async with transaction():
        if await ProcessedMessage.exists().where(ProcessedMessage.key == key):
            yield False
            return
        await ProcessedMessage.insert(ProcessedMessage(key=key))
        yield True
