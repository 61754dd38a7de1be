"""The embedded default: retries waiting out a back-off do not hold up new messages.

Its in-memory broker is given at most ``MEMORY_CAP`` messages. It counted the retries
waiting in the delay queue too, so with more notifications than that waiting on an SMS
gateway that is down (retrying for an hour), no new case event (a receipt, a routing)
was relayed until their retries ended. Now the cap counts only the messages ready to
run; a row is still marked sent only once its job settled, and relayed once.
"""

from __future__ import annotations

import asyncio
import time

import dramatiq
import pytest

from core.jobs import outbox, relay
from core.jobs.broker import QUEUE, in_memory
from core.jobs.relay import relay_once
from core.jobs.tables import OutboxMessage

pytestmark = pytest.mark.skipif(
    in_memory() is None, reason="a broker server holds what it is given, in no memory of ours"
)

ATTEMPTS: list[int] = []  # parcels, one entry a try
BACKOFF_MS = 8000  # the first retry waits 4 to 8 s (Dramatiq's jitter)


@dramatiq.actor(queue_name=QUEUE, max_retries=3, min_backoff=BACKOFF_MS, max_backoff=BACKOFF_MS)
async def sms_gateway_down(outbox_id: int, parcel: int) -> None:
    ATTEMPTS.append(parcel)
    if ATTEMPTS.count(parcel) == 1:  # the gateway is back for the retry
        raise ConnectionError("sms gateway refused the connection")


@dramatiq.actor(queue_name=QUEUE)
async def receipt(outbox_id: int, parcel: int) -> None:
    ATTEMPTS.append(parcel)


async def _row(actor: str, parcel: int) -> int:
    await outbox.enqueue(actor, parcel=parcel)
    return (
        await OutboxMessage.select(OutboxMessage.id)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )["id"]


async def _unsent(ids: list[int]) -> set[int]:
    rows = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.id.is_in(ids) & OutboxMessage.sent_at.is_null()
    )
    return {row["id"] for row in rows}


async def _relay_until(predicate, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}: tried {ATTEMPTS}"
        await relay_once()
        await asyncio.sleep(0.02)


async def test_retries_in_back_off_do_not_hold_up_new_messages(site, jobs, monkeypatch):
    memory = in_memory()
    monkeypatch.setattr(relay, "MEMORY_CAP", memory.ready() + 2)
    ATTEMPTS.clear()
    waiting = [await _row("sms_gateway_down", parcel) for parcel in (1, 2, 3)]

    async def all_tried():
        return {1, 2, 3} <= set(ATTEMPTS)

    # Each fails once and waits out its back-off; more of them than the cap, all the same.
    await _relay_until(all_tried, "every notification's first try")
    assert sorted(ATTEMPTS) == [1, 2, 3], "each tried once, none retried yet"

    new = await _row("receipt", 4)

    async def receipt_done():
        return 4 in ATTEMPTS and not await _unsent([new])

    await _relay_until(receipt_done, "the receipt")
    assert sorted(ATTEMPTS) == [1, 2, 3, 4], "the receipt went before any retry"
    for _ in range(3):
        await relay_once()
    assert await _unsent(waiting) == set(waiting), "waiting out a back-off: not sent"
    assert sorted(ATTEMPTS) == [1, 2, 3, 4], "what waits in memory is not relayed again"

    async def retried():
        return not await _unsent(waiting)

    await _relay_until(retried, "the retries", timeout=60)
    assert sorted(ATTEMPTS) == [1, 1, 2, 2, 3, 3, 4], "sent once each retry succeeded"
