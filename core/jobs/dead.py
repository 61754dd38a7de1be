"""Messages the workers gave up on — retries spent, or an actor no worker knows.

The broker keeps its own dead-letter copy for a week, in a form only its tools
read. Tongban also records the death on the message's outbox row (its tries and
error), so that an operator sees what was given up whatever the broker
(``tongban jobs dead``) and, once the cause is mended, sends it again through
the outbox (``tongban jobs redo``): actors are idempotent, so what a failed try
did is not done twice.
"""

from __future__ import annotations

import logging

from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware

from core.jobs.outbox import id_of
from core.jobs.tables import OutboxMessage

log = logging.getLogger("tongban.jobs")


class DeadLetters(Middleware):
    """Writes each message the worker rejects (a nack: it goes to the dead letters) onto
    its outbox row: ``attempts`` (the tries it had) and ``last_error``."""

    def after_nack(self, broker, message) -> None:
        if (outbox_id := id_of(message)) is None:
            return
        # The worker keeps the failure on the message until after the nack.
        error = getattr(message, "_exception", None)
        # Dramatiq's Retries counts each failed try before giving up; a message it did not
        # retry (an actor nobody declares) failed once.
        tries = message.options.get("retries") or 1
        text = repr(error) if error is not None else "rejected"
        log.error("job %s (outbox %s) given up after %s tries: %s", message.actor_name,
                  outbox_id, tries, text)  # fmt: skip
        try:
            get_event_loop_thread().run_coroutine(record(outbox_id, tries, text))
        except Exception:  # the database away, the very reason it failed: the log has it
            log.exception("could not record the death of outbox message %s", outbox_id)


async def record(outbox_id: int, tries: int, error: str) -> None:
    await OutboxMessage.update(
        {OutboxMessage.attempts: tries, OutboxMessage.last_error: error[:2000]}
    ).where(OutboxMessage.id == outbox_id)


async def dead(limit: int = 100) -> list[dict]:
    """The messages given up, oldest first."""
    return (
        await OutboxMessage.select(
            OutboxMessage.id,
            OutboxMessage.actor,
            OutboxMessage.payload,
            OutboxMessage.created_at,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
        )
        .where(OutboxMessage.last_error != "")
        .order_by(OutboxMessage.id)
        .limit(limit)
        .output(load_json=True)
    )


async def redo(ids: list[int] | None = None) -> list[int]:
    """Send these dead messages (all of them: ``None``) again through the outbox; the ids
    of those queued again. Ids of messages that did not die are left alone."""
    given_up = OutboxMessage.last_error != ""
    if ids is not None:
        if not ids:
            return []
        given_up &= OutboxMessage.id.is_in(ids)
    rows = (
        await OutboxMessage.update(
            {OutboxMessage.sent_at: None, OutboxMessage.last_error: "", OutboxMessage.held_by: None}
        )
        .where(given_up)
        .returning(OutboxMessage.id)
    )
    return sorted(row["id"] for row in rows)
