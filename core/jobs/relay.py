"""Relay outbox rows to the broker, then mark them sent."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from dramatiq import Message

from core.jobs import actors, outbox  # noqa: F401 - actors: declares the core's on the broker
from core.jobs.broker import QUEUE, broker

log = logging.getLogger("tongban.relay")

REPORT_INTERVAL = 60.0  # seconds between two reports of messages this process cannot relay
_last_report = float("-inf")


async def relay_once() -> int:
    """Send every pending outbox message of the actors this process runs; returns how
    many were sent. The others wait for a process that runs their actor: read with the
    rest, 200 of them at the head of the outbox stopped the relay for good."""
    names = sorted(broker.actors)  # the core's and the plugins' declared in this process
    messages: list[tuple[int, Message]] = []
    for row in await outbox.pending(actors=names):
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
    await _report_unknown(names)
    return len(sent)


async def _report_unknown(names: list[str]) -> None:
    """Warn, once a minute rather than every pass, of messages no actor here can take."""
    global _last_report
    if time.monotonic() - _last_report < REPORT_INTERVAL:
        return
    _last_report = time.monotonic()
    if waiting := await outbox.pending_for_others(names):
        log.warning(
            "outbox messages wait for actors this process does not run: %s",
            ", ".join(f"{actor} ({count})" for actor, count in waiting.items()),
        )


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
