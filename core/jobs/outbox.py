"""The transactional outbox: enqueue inside the caller's transaction, relay after commit.

Dramatiq knows nothing of database transactions, so a message sent directly
could announce a change that then rolls back, or be lost if the process dies
after commit. Instead the message is a row written with the change; the relay
sends unsent rows to the broker and marks them sent. A crash between sending
and marking re-sends the row later, so every actor must be idempotent.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime

from piccolo.query.functions.aggregate import Count

from core.jobs.tables import OutboxMessage


async def enqueue(actor: str, **payload: object) -> None:
    """Write a message for ``actor``; call inside the transaction of the change."""
    await OutboxMessage.insert(OutboxMessage(actor=actor, payload=payload))


async def pending(
    limit: int = 200, actors: list[str] | None = None, skip: Collection[int] = ()
) -> list[dict]:
    """The oldest unsent messages, of ``actors`` only when given, leaving out the ids in
    ``skip`` (those the embedded default's broker holds)."""
    unsent = OutboxMessage.sent_at.is_null()
    if actors is not None:
        unsent &= OutboxMessage.actor.is_in(actors)
    if skip:
        unsent &= OutboxMessage.id.not_in(sorted(skip))
    return (
        await OutboxMessage.select(OutboxMessage.id, OutboxMessage.actor, OutboxMessage.payload)
        .where(unsent)
        .order_by(OutboxMessage.id)
        .limit(limit)
        .output(load_json=True)
    )


async def pending_for_others(actors: list[str]) -> dict[str, int]:
    """Unsent messages of actors other than ``actors``, counted by actor."""
    rows = (
        await OutboxMessage.select(OutboxMessage.actor, Count(OutboxMessage.id, alias="n"))
        .where(OutboxMessage.sent_at.is_null() & OutboxMessage.actor.not_in(actors))
        .group_by(OutboxMessage.actor)
    )
    return {row["actor"]: row["n"] for row in rows}


async def mark_sent(ids: list[int]) -> None:
    if ids:
        await OutboxMessage.update({OutboxMessage.sent_at: datetime.now(UTC)}).where(
            OutboxMessage.id.is_in(ids)
        )


async def lag() -> int:
    """Messages written but not yet sent: not yet held by the broker server — on the
    embedded default, not yet done (exported as a metric)."""
    return await OutboxMessage.count().where(OutboxMessage.sent_at.is_null())
