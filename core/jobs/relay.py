"""Relay outbox rows to the broker, then mark them sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from dramatiq import Message

from core.jobs import outbox
from core.jobs.actors import ACTORS
from core.jobs.broker import QUEUE, broker

log = logging.getLogger("tongban.relay")


async def relay_once() -> int:
    """Send every pending outbox message; returns how many were sent."""
    messages: list[tuple[int, Message]] = []
    for row in await outbox.pending():
        if row["actor"] not in ACTORS and row["actor"] not in broker.actors:
            log.error("outbox %s: unknown actor %s", row["id"], row["actor"])
            continue
        message = Message(
            queue_name=QUEUE,
            actor_name=row["actor"],
            args=(),
            kwargs={"outbox_id": row["id"], **row["payload"]},
            options={},
        )
        messages.append((row["id"], message))
    # The broker clients block: one trip to a thread for the whole pass, not one a message.
    sent = await asyncio.to_thread(_enqueue, messages) if messages else []
    await outbox.mark_sent(sent)
    return len(sent)


def _enqueue(messages: list[tuple[int, Message]]) -> list[int]:
    """Enqueue in order until the broker refuses; the ids of those sent."""
    sent: list[int] = []
    for outbox_id, message in messages:
        try:
            broker.enqueue(message)
        except Exception:  # broker down: keep the rows, try again on the next pass
            log.warning("broker unavailable; %s outbox messages wait", len(messages) - len(sent))
            break
        sent.append(outbox_id)
    return sent


async def relay_forever(interval: float = 1.0, stop: asyncio.Event | None = None) -> None:
    stop = stop or asyncio.Event()
    while not stop.is_set():
        try:
            await relay_once()
        except Exception:
            log.exception("outbox relay pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
