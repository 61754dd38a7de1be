"""The relay: messages go to the broker in outbox order, and a broker that fails in the
middle of a pass leaves the rest unsent, to go on the next pass — none lost, none skipped.

A row is marked sent once the broker server holds its message; on the embedded
default, once its job is done (the in-memory broker dies with the process)."""

from __future__ import annotations

import pytest
from dramatiq import Message

from core.jobs import outbox, relay
from core.jobs.broker import QUEUE, broker, in_memory
from core.jobs.relay import relay_once
from core.jobs.tables import OutboxMessage


async def _sent_at(ids: list[int]) -> dict[int, object]:
    rows = await OutboxMessage.select(OutboxMessage.id, OutboxMessage.sent_at).where(
        OutboxMessage.id.is_in(ids)
    )
    return {row["id"]: row["sent_at"] for row in rows}


async def _messages(count: int) -> list[int]:
    """Outbox rows for the stand-in brokers below: they never reach a worker."""
    before = (
        await OutboxMessage.select(OutboxMessage.id)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    for n in range(count):
        await outbox.enqueue("deliver_notification", notification_id=-1 - n)
    ours = [
        row["id"]
        for row in await OutboxMessage.select(OutboxMessage.id).where(
            OutboxMessage.id > (before["id"] if before else 0)
        )
    ]
    assert len(ours) == count
    return ours


def _done(outbox_id: int) -> None:
    """What a worker finishing the job tells the broker's middleware."""
    broker.emit_after(
        "ack", Message(QUEUE, "deliver_notification", (), {"outbox_id": outbox_id}, {})
    )


async def test_a_broker_failing_mid_pass_keeps_the_rest_for_the_next_pass(site, monkeypatch):
    ours = await _messages(3)

    real_enqueue = broker.enqueue
    delivered: list[int] = []
    broker_up = False

    def enqueue(message, **options):
        outbox_id = message.kwargs["outbox_id"]
        if outbox_id not in ours:  # another test's message: on to the real broker
            return real_enqueue(message, **options)
        if outbox_id == ours[1] and not broker_up:
            raise ConnectionError("broker down")
        delivered.append(outbox_id)
        broker.emit_after("enqueue", message, None)  # as the real one tells its middleware
        return message

    monkeypatch.setattr(broker, "enqueue", enqueue)
    await relay_once()
    assert delivered == ours[:1]
    sent = await _sent_at(ours)
    assert (sent[ours[0]] is not None) is (in_memory() is None)
    assert sent[ours[1]] is None and sent[ours[2]] is None

    broker_up = True
    await relay_once()
    await relay_once()  # nothing more: what the broker holds is not sent again
    assert delivered == ours  # the rest, in order, each once
    sent = await _sent_at(ours)
    if in_memory() is not None:
        # Held in memory, lost in a crash: unsent until the worker is done with them.
        assert all(at is None for at in sent.values())
        for outbox_id in ours:
            _done(outbox_id)
        await relay_once()
        sent = await _sent_at(ours)
    assert all(at is not None for at in sent.values())


@pytest.mark.skipif(in_memory() is None, reason="a broker server holds what it is given")
async def test_the_in_memory_broker_is_given_no_more_than_its_cap(site, monkeypatch):
    """What it holds dies with the process and is relayed again at the next start: a
    backlog stays in the outbox, not in memory."""
    ours = await _messages(3)
    real_enqueue = broker.enqueue
    delivered: list[int] = []

    def enqueue(message, **options):
        if message.kwargs["outbox_id"] not in ours:  # another test's message
            return real_enqueue(message, **options)
        delivered.append(message.kwargs["outbox_id"])
        broker.emit_after("enqueue", message, None)
        return message

    monkeypatch.setattr(broker, "enqueue", enqueue)
    monkeypatch.setattr(relay, "MEMORY_CAP", in_memory().ready() + 2)
    await relay_once()
    await relay_once()
    assert delivered == ours[:2]
    _done(ours[0])
    await relay_once()
    assert delivered == ours
    sent = await _sent_at(ours)
    assert [sent[i] is not None for i in ours] == [True, False, False]
    for outbox_id in ours[1:]:
        _done(outbox_id)
    await relay_once()
