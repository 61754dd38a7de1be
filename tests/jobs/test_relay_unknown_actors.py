"""Messages for an actor this process does not run never stop the relay.

The relay read the oldest 200 unsent rows and skipped (and logged) those whose actor it
did not know, leaving them unsent. Once 200 such rows waited at the head of the outbox
— a plugin enabled in the app but not in the worker (``TONGBAN_PLUGINS``), an app
upgraded before its workers, a periodic job naming an actor that does not exist, one
row a minute — every pass read only them and relayed nothing more, for good, while
the worker looked healthy. Now a relay reads only the rows of actors it runs; the
others wait, counted in the outbox metrics, for a process that runs them.
"""

from __future__ import annotations

import logging

from core.jobs import outbox
from core.jobs.relay import relay_once
from core.jobs.tables import OutboxMessage

UNKNOWN = "an_actor_of_a_plugin_this_worker_lacks"


async def _last_id() -> int:
    row = await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id, ascending=False)
    return row[0]["id"] if row else 0


async def test_rows_for_unknown_actors_do_not_block_the_rest(site, monkeypatch, caplog):
    from core.jobs import relay
    from core.jobs.relay import broker

    monkeypatch.setattr(relay, "REPORT_INTERVAL", 0.0, raising=False)  # report on this pass
    before = await _last_id()
    real_enqueue = broker.enqueue
    ours: list[int] = []

    def enqueue(message, **options):
        if message.kwargs["outbox_id"] <= before:  # another test's message: on to the broker
            return real_enqueue(message, **options)
        ours.append(message.kwargs["outbox_id"])  # kept here: it never reaches a worker
        return message

    monkeypatch.setattr(broker, "enqueue", enqueue)
    try:
        for n in range(201):  # more than one pass reads
            await outbox.enqueue(UNKNOWN, n=n)
        await outbox.enqueue("deliver_notification", notification_id=-9201)
        known = await _last_id()

        with caplog.at_level(logging.WARNING, logger="tongban.relay"):
            await relay_once()
        assert ours == [known]
        assert UNKNOWN in caplog.text, "the rows left waiting are reported"
        assert await outbox.lag() >= 201, "and left for a process that runs their actor"
    finally:
        await OutboxMessage.delete().where(
            (OutboxMessage.id > before) & (OutboxMessage.actor == UNKNOWN)
        )
