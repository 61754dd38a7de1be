"""Relay outbox rows to the broker, then mark them sent.

A row is sent once the broker server holds its message; on the embedded default,
whose in-memory broker dies with the process, once its job settled (see
:class:`core.jobs.broker.HeldInMemory`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from dramatiq import Message

from core.jobs import actors, outbox  # noqa: F401 - actors: declares the core's on the broker
from core.jobs.broker import QUEUE, HeldInMemory, broker, in_memory

log = logging.getLogger("tongban.relay")

REPORT_INTERVAL = 60.0  # seconds between two reports of messages this process cannot relay
BATCH = 200  # messages read a pass
# Messages ready to run the embedded default's in-memory broker is given at most: a
# backlog waits in the outbox, not in memory.
MEMORY_CAP = 1000
_last_report = float("-inf")


async def relay_once() -> int:
    """Send every pending outbox message of the actors this process runs; returns how
    many were sent. The others wait for a process that runs their actor: read with the
    rest, 200 of them at the head of the outbox stopped the relay for good."""
    names = sorted(broker.actors)  # the core's and the plugins' declared in this process
    memory = in_memory()
    if memory is None:
        rows = await outbox.pending(limit=BATCH, actors=names)
    else:
        # Leave alone what it holds, and give it no more than its cap of messages ready
        # to run: retries waiting out a back-off do not count (see HeldInMemory).
        room = min(BATCH, MEMORY_CAP - memory.ready())
        token = memory.token
        rows = await outbox.pending(limit=room, actors=names, held_by=token) if room > 0 else []
        if rows:  # recorded before the broker has them: a crash in between loses nothing
            held = set(await outbox.hold([row["id"] for row in rows], token))
            rows = [row for row in rows if row["id"] in held]
    messages: list[tuple[int, Message]] = []
    for row in rows:
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
    if memory is None:
        await outbox.mark_sent(sent)
    else:
        await outbox.release([row["id"] for row in rows[len(sent) :]], token)
        await _mark_settled(memory)
    await _report_unknown(names)
    return len(sent)


async def mark_settled() -> None:
    """The embedded default: mark sent the rows whose jobs the in-memory broker finished."""
    if (memory := in_memory()) is not None:
        await _mark_settled(memory)


async def _mark_settled(memory: HeldInMemory) -> None:
    if ids := memory.settled():
        await outbox.mark_sent(ids)
        memory.forget(ids)


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
        except Exception as exc:  # broker down or blocked: keep the rows, try again next pass
            log.warning(
                "broker unavailable (%s); %s outbox messages wait",
                exc or type(exc).__name__,
                len(messages) - len(sent),
            )
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
