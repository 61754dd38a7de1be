"""The transactional outbox: enqueue inside the caller's transaction, relay after commit.

Dramatiq knows nothing of database transactions, so a message sent directly
could announce a change that then rolls back, or be lost if the process dies
after commit. Instead the message is a row written with the change; the relay
sends unsent rows to the broker and marks them sent. A crash between sending
and marking re-sends the row later, so every actor must be idempotent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.jobs.tables import OutboxMessage


async def enqueue(actor: str, **payload: object) -> None:
    """Write a message for ``actor``; call inside the transaction of the change."""
    await OutboxMessage.insert(OutboxMessage(actor=actor, payload=payload))


async def pending(limit: int = 200) -> list[dict]:
    return (
        await OutboxMessage.select(OutboxMessage.id, OutboxMessage.actor, OutboxMessage.payload)
        .where(OutboxMessage.sent_at.is_null())
        .order_by(OutboxMessage.id)
        .limit(limit)
        .output(load_json=True)
    )


async def mark_sent(ids: list[int]) -> None:
    if ids:
        await OutboxMessage.update({OutboxMessage.sent_at: datetime.now(UTC)}).where(
            OutboxMessage.id.is_in(ids)
        )


async def lag() -> int:
    """Messages written but not yet relayed (exported as a metric)."""
    return await OutboxMessage.count().where(OutboxMessage.sent_at.is_null())
