"""The transactional outbox: enqueue inside the caller's transaction, relay after commit.

Dramatiq knows nothing of database transactions, so a message sent directly
could announce a change that then rolls back, or be lost if the process dies
after commit. Instead the message is a row written with the change; the relay
sends unsent rows to the broker and marks them sent. A crash between sending
and marking re-sends the row later, so every actor must be idempotent.
"""

from __future__ import annotations

from datetime import UTC, datetime

from piccolo.query.functions.aggregate import Count

from core.jobs.tables import OutboxMessage


async def enqueue(actor: str, **payload: object) -> None:
    """Write a message for ``actor``; call inside the transaction of the change."""
    await OutboxMessage.insert(OutboxMessage(actor=actor, payload=payload))


def id_of(message) -> int | None:
    """The outbox id a Dramatiq message was relayed with; None for a message an actor
    sent itself, not through the outbox."""
    return message.kwargs.get("outbox_id")


async def pending(
    limit: int = 200, actors: list[str] | None = None, held_by: str | None = None
) -> list[dict]:
    """The oldest unsent messages, of ``actors`` only when given, leaving out those
    ``held_by`` holds (the embedded default's in-memory broker, see :func:`hold`)."""
    unsent = OutboxMessage.sent_at.is_null()
    if actors is not None:
        unsent &= OutboxMessage.actor.is_in(actors)
    if held_by is not None:
        unsent &= OutboxMessage.held_by.is_null() | (OutboxMessage.held_by != held_by)
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
        await OutboxMessage.update(
            {OutboxMessage.sent_at: datetime.now(UTC), OutboxMessage.held_by: None}
        ).where(OutboxMessage.id.is_in(ids))


async def hold(ids: list[int], holder: str) -> list[int]:
    """Record that ``holder`` (an in-memory broker's token) is about to hold these unsent
    messages; the ids it got (not those sent or held by it meanwhile).

    A holder lives only as long as its process's memory: rows held by one that is gone
    (a kill -9) are unsent and held by nobody alive, so the next start relays them. Such
    a row may carry a death its process recorded but did not mark: it runs again now, so
    the error is cleared (a new death records its own)."""
    if not ids:
        return []
    rows = (
        await OutboxMessage.update({OutboxMessage.held_by: holder, OutboxMessage.last_error: ""})
        .where(
            OutboxMessage.id.is_in(ids)
            & OutboxMessage.sent_at.is_null()
            & (OutboxMessage.held_by.is_null() | (OutboxMessage.held_by != holder))
        )
        .returning(OutboxMessage.id)
    )
    return [row["id"] for row in rows]


async def release(ids: list[int], holder: str) -> None:
    """``holder`` did not get these after all (the broker refused them): relay them again."""
    if ids:
        await OutboxMessage.update({OutboxMessage.held_by: None}).where(
            OutboxMessage.id.is_in(ids) & (OutboxMessage.held_by == holder)
        )


async def lag() -> int:
    """Messages written but not yet sent: not yet held by the broker server — on the
    embedded default, not yet done (exported as a metric)."""
    return await OutboxMessage.count().where(OutboxMessage.sent_at.is_null())
