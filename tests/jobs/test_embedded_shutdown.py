"""The embedded default stopped, gracefully or by kill -9: nothing relayed to its in-memory
broker is lost.

The relay used to mark an outbox row sent once the in-memory broker held its message.
A message still waiting there when the process ended — queued behind others, or a
retry waiting out its back-off (a notification channel down) — vanished with the
process while its row said "sent": the notification was never delivered. Now the row
is marked sent only once its job is done, so the next start relays it again.

Each start is a process of its own, as in production (and so that its in-memory
broker is not the one the other tests' worker uses); it runs the app's start and
stop of the embedded jobs against the tests' database.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys

import pytest

from core.jobs import outbox
from core.jobs.tables import OutboxMessage
from tests.faults.support import ROOT

DELIVERED, CHANNEL_DOWN = -9101, -9102  # no such notifications: the channel is stubbed

APP_PROCESS = f"""
import asyncio, json, os, signal, sys

import core.cases.notifications
import core.jobs.embedded
from core import db
from core.jobs.tables import OutboxMessage

channel_up, awaited, done, ending = (
    sys.argv[1] == "up", json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
)
attempts = []

async def deliver(notification_id):
    attempts.append(notification_id)
    up = notification_id == {DELIVERED} or channel_up
    return {{"sms": "sent" if up else "failed"}}  # failed: the actor raises, Dramatiq retries

core.cases.notifications.deliver = deliver
core.jobs.embedded.periodic_jobs = dict  # no periodic jobs: only the messages of the test

async def main():
    await db.start()
    jobs = core.jobs.embedded.start_embedded_jobs()
    async def unsent():
        return done and await OutboxMessage.count().where(
            OutboxMessage.id.is_in(done) & OutboxMessage.sent_at.is_null()
        )

    while not set(awaited) <= set(attempts) or await unsent():
        await asyncio.sleep(0.05)
    print(json.dumps(attempts), flush=True)
    if ending == "kill":
        os.kill(os.getpid(), signal.SIGKILL)  # a retry is still waiting in memory
    await jobs.stop()  # as the app's shutdown does; a retry is still waiting in memory
    await db.stop()

asyncio.run(main())
"""


async def _app_process(
    channel: str, awaited: list[int], done: list[int] = (), ending: str = "stop"
) -> list[int]:
    """Start the embedded jobs; end the process (``ending``: stop gracefully, or kill -9)
    once the ``awaited`` deliveries were attempted and the outbox rows ``done`` marked
    sent."""
    env = {k: v for k, v in os.environ.items() if k != "TONGBAN_BROKER_URL"}  # embedded
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", APP_PROCESS, channel, json.dumps(awaited), json.dumps(done), ending],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == (-signal.SIGKILL if ending == "kill" else 0), result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


async def _outbox_row(notification_id: int) -> int:
    await outbox.enqueue("deliver_notification", notification_id=notification_id)
    row = (
        await OutboxMessage.select(OutboxMessage.id)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    return row["id"]


async def _sent_at(outbox_id: int):
    row = await OutboxMessage.select(OutboxMessage.sent_at).where(OutboxMessage.id == outbox_id)
    return row[0]["sent_at"]


@pytest.mark.parametrize("ending", ["stop", "kill"])
async def test_a_retry_waiting_in_memory_is_relayed_again_at_the_next_start(site, ending):
    delivered = await _outbox_row(DELIVERED)
    waiting = await _outbox_row(CHANNEL_DOWN)

    attempts = await _app_process("down", [DELIVERED, CHANNEL_DOWN], [delivered], ending)
    assert attempts.count(CHANNEL_DOWN) == 1, "ended while its retry waits out the back-off"
    assert await _sent_at(delivered) is not None, "done: sent"
    assert await _sent_at(waiting) is None, "held in memory when the process ended: unsent"

    attempts = await _app_process("up", [CHANNEL_DOWN])  # the next start relays it
    assert DELIVERED not in attempts, "what was done is not redone"
    assert await _sent_at(waiting) is not None
