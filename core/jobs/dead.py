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


# A partial index (migration jobs 2026-12-07) holds just these rows: counting them reads
# the few given up, not the whole outbox, which keeps every message ever sent. The
# condition is spelled as a literal so that PostgreSQL matches it to the index's.
GIVEN_UP = "SELECT COUNT(*) AS n FROM jobs_outbox WHERE last_error <> ''"


async def given_up() -> int:
    """Messages given up and not redone (the ``tongban_jobs_dead`` gauge), any broker."""
    return int((await OutboxMessage.raw(GIVEN_UP))[0]["n"])


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
    of those queued again. Ids of messages that did not die are left alone, and so are
    those whose death is still being recorded (see :func:`settling`).

    Only a death already marked sent is redone. The worker records a death at the nack,
    and the relay marks the row sent after — at once on a broker server, once it sees the
    job settled on the embedded default. A redo in between was lost: the relay's mark
    then stamped ``sent_at`` over the redo's reset, and the row looked sent, its error
    gone. Refused instead, it is there to redo a moment later."""
    given_up = (OutboxMessage.last_error != "") & OutboxMessage.sent_at.is_not_null()
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


async def settling(ids: list[int]) -> list[int]:
    """Of these, the messages given up whose rows the relay has not marked sent yet (a
    second at most while it runs; or a relay gone, in which case the next start sends
    them again): :func:`redo` leaves them for now."""
    if not ids:
        return []
    rows = await OutboxMessage.select(OutboxMessage.id).where(
        OutboxMessage.id.is_in(ids)
        & (OutboxMessage.last_error != "")
        & OutboxMessage.sent_at.is_null()
    )
    return sorted(row["id"] for row in rows)
