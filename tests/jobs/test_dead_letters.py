"""A job the worker gives up on stays visible, and is sent again once its cause is mended.

The broker's dead letters are its own (a Redis sorted set, a RabbitMQ queue, the
embedded broker's memory); the outbox row says what died, with its error, and
``tongban jobs redo`` queues it again — on every broker alike.
"""

from __future__ import annotations

import asyncio
import time

import dramatiq
from click.testing import CliRunner
from dramatiq.brokers.stub import StubBroker

from core.jobs import outbox
from core.jobs.broker import QUEUE, broker
from core.jobs.cli import jobs as jobs_cli
from core.jobs.tables import OutboxMessage

GATEWAY = {"up": False}
DELIVERED: list[int] = []


@dramatiq.actor(queue_name=QUEUE, max_retries=1, min_backoff=10, max_backoff=20)
async def send_to_gateway(outbox_id: int, parcel: int) -> None:
    if not GATEWAY["up"]:
        raise ConnectionError("gateway 10.0.0.7 refused the connection")
    DELIVERED.append(parcel)


async def _row(outbox_id: int) -> dict:
    return (
        await OutboxMessage.select(
            OutboxMessage.sent_at, OutboxMessage.attempts, OutboxMessage.last_error
        )
        .where(OutboxMessage.id == outbox_id)
        .first()
    )


async def _until(predicate, what: str, timeout: float = 30) -> None:
    from core.jobs.relay import relay_once

    deadline = time.monotonic() + timeout
    while not await predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await relay_once()
        await asyncio.sleep(0.05)


def _cli(*args: str):
    return CliRunner().invoke(jobs_cli, list(args))  # stdout and stderr apart


async def test_a_job_given_up_is_listed_and_redone(site, jobs):
    try:
        await _given_up_then_redone()
    finally:
        if isinstance(broker, StubBroker):  # else the next tests' drain() re-raises its error
            for letters in broker.dead_letters_by_queue.values():
                letters.clear()


async def _given_up_then_redone() -> None:
    await outbox.enqueue("send_to_gateway", parcel=4711)
    outbox_id = (
        await OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.actor == "send_to_gateway")
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )["id"]

    async def given_up():
        row = await _row(outbox_id)
        return row["last_error"] != "" and row["sent_at"] is not None

    await _until(given_up, "the worker to give up")
    row = await _row(outbox_id)
    assert row["attempts"] == 2  # the first try and its one retry
    assert "gateway 10.0.0.7 refused the connection" in row["last_error"]

    listed = await asyncio.to_thread(_cli, "dead")
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith(f"{outbox_id}\t"))
    assert "send_to_gateway" in line and '"parcel": 4711' in line and "2 tries" in line
    assert "refused the connection" in line

    wrong = await asyncio.to_thread(_cli, "redo")
    assert wrong.exit_code == 2 and "name outbox ids, or --all" in wrong.stderr
    assert DELIVERED == []

    GATEWAY["up"] = True  # the cause mended
    redone = await asyncio.to_thread(_cli, "redo", str(outbox_id), "999999999")
    assert redone.exit_code == 0, redone.output
    assert f"1 queued again: {outbox_id}" in redone.stdout
    assert "not given up (left alone): 999999999" in redone.stderr

    async def delivered():
        return DELIVERED == [4711] and (await _row(outbox_id))["sent_at"] is not None

    await _until(delivered, "the job to be redone")
    assert (await _row(outbox_id))["last_error"] == ""
    listed = await asyncio.to_thread(_cli, "dead")
    assert not any(x.startswith(f"{outbox_id}\t") for x in listed.output.splitlines())


@dramatiq.actor(queue_name=QUEUE, max_retries=0)
async def send_to_retired_gateway(outbox_id: int, parcel: int) -> None:
    raise ConnectionError(f"gateway retired, parcel {parcel}")


async def test_the_embedded_broker_keeps_only_the_latest_dead_letters_in_memory(site, jobs):
    """A serve running for months gives up on many jobs: their outbox rows record each,
    and memory keeps the latest few only (it kept every one, with its traceback)."""
    if not isinstance(broker, StubBroker):
        return  # a broker server keeps its dead letters itself, for a week
    from core.jobs.broker import DEAD_LETTERS_KEPT

    letters = broker.dead_letters_by_queue[QUEUE]
    letters.clear()
    parcels = range(DEAD_LETTERS_KEPT + 5)
    try:
        for parcel in parcels:
            await outbox.enqueue("send_to_retired_gateway", parcel=parcel)
        ids = [
            row["id"]
            for row in await OutboxMessage.select(OutboxMessage.id)
            .where(OutboxMessage.actor == "send_to_retired_gateway")
            .order_by(OutboxMessage.id)
        ]
        assert len(ids) == len(parcels)

        async def all_given_up():
            return not await OutboxMessage.count().where(
                OutboxMessage.id.is_in(ids)
                & (OutboxMessage.sent_at.is_null() | (OutboxMessage.last_error == ""))
            )

        await _until(all_given_up, "every job to be given up", timeout=120)
        listed = await asyncio.to_thread(_cli, "dead", "--limit", "100000")
        lines = {int(x.split("\t")[0]): x for x in listed.output.splitlines() if "\t" in x}
        assert all("1 tries" in lines[i] and "gateway retired" in lines[i] for i in ids)
        kept = [letter.kwargs["parcel"] for letter in letters]
        assert len(kept) == DEAD_LETTERS_KEPT, "memory keeps a few, not every one"
        assert parcels[-1] in kept and parcels[0] not in kept, "the latest"
    finally:
        letters.clear()  # else the next tests' drain() re-raises their error


async def _dead_row(actor: str, **payload) -> int:
    """An outbox row whose job the worker just gave up on: the death is recorded on it
    (DeadLetters, at the nack), and it is not marked sent yet — on the embedded default
    it is until the relay sees the job settled, on a broker server when the job died
    before the relay's pass ended."""
    from core.jobs.dead import record

    await outbox.enqueue(actor, **payload)
    outbox_id = (
        await OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.actor == actor)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )["id"]
    await record(outbox_id, 3, "ConnectionError('gateway down')")
    return outbox_id


async def test_a_redo_before_the_death_is_marked_sent_is_not_lost(site):
    """``redo`` racing the relay: the relay's mark_sent, coming after, stamped the reset
    row sent — listed dead no more, queued no more, the redo silently lost."""
    from core.jobs import dead

    outbox_id = await _dead_row("send_to_gateway", parcel=1)
    listed = await asyncio.to_thread(_cli, "dead", "--limit", "100000")
    assert any(x.startswith(f"{outbox_id}\t") for x in listed.output.splitlines())
    early = await asyncio.to_thread(_cli, "redo", str(outbox_id))
    assert early.exit_code == 0, early.output
    assert "0 queued again" in early.stdout
    assert f"still being given up, try again in a moment: {outbox_id}" in early.stderr
    await outbox.mark_sent([outbox_id])  # the relay's pass ends: the job settled
    assert [row["id"] for row in await dead.dead(100000)].count(outbox_id) == 1
    assert await dead.redo([outbox_id]) == [outbox_id]
    row = await _row(outbox_id)
    assert row["sent_at"] is None and row["last_error"] == ""  # on its way again
    assert outbox_id in [row["id"] for row in await outbox.pending(limit=100000)]
    await OutboxMessage.delete().where(OutboxMessage.id == outbox_id)  # no job for the next tests


async def test_redo_all_leaves_a_death_being_recorded_for_the_next_one(site):
    from core.jobs import dead

    settling = await _dead_row("send_to_gateway", parcel=2)
    assert settling not in await dead.redo(None)
    await outbox.mark_sent([settling])
    try:
        assert settling in await dead.redo(None)
        assert (await _row(settling))["sent_at"] is None
    finally:  # neither this job nor those of earlier tests redone here for the next tests
        await OutboxMessage.delete().where(
            OutboxMessage.actor.is_in(["send_to_gateway", "send_to_retired_gateway"])
            & OutboxMessage.sent_at.is_null()
        )


async def test_the_embedded_relay_does_not_stamp_a_redone_job_sent(site, jobs):
    """The real window on the embedded default: the worker recorded the death, the relay
    has not yet seen the job settle; ``tongban jobs redo`` runs in between."""
    if not isinstance(broker, StubBroker):
        return  # a broker server's rows are marked sent once it holds them
    from core.jobs import dead
    from core.jobs.broker import in_memory
    from core.jobs.relay import relay_once

    letters = broker.dead_letters_by_queue[QUEUE]
    try:
        await outbox.enqueue("send_to_retired_gateway", parcel=77)
        outbox_id = (
            await OutboxMessage.select(OutboxMessage.id)
            .where(OutboxMessage.actor == "send_to_retired_gateway")
            .order_by(OutboxMessage.id, ascending=False)
            .first()
        )["id"]
        assert await relay_once() >= 1
        deadline = time.monotonic() + 30
        while outbox_id not in in_memory().settled():  # died; no relay pass since
            assert time.monotonic() < deadline, "timed out waiting for the job to die"
            await asyncio.sleep(0.02)
        assert (await _row(outbox_id))["last_error"] != ""
        assert (await _row(outbox_id))["sent_at"] is None
        redone = await asyncio.to_thread(_cli, "redo", str(outbox_id))
        assert redone.exit_code == 0, redone.output
        await relay_once()  # marks the settled job sent
        row = await _row(outbox_id)
        # The redo was refused for now, and the death is still there to redo: not marked
        # sent with its error wiped, never to run again.
        assert "0 queued again" in redone.stdout and str(outbox_id) in redone.stderr
        assert row["sent_at"] is not None and "gateway retired" in row["last_error"], row
        assert outbox_id in [r["id"] for r in await dead.dead(100000)]
        assert await dead.redo([outbox_id]) == [outbox_id]  # a moment later it is redone
        assert (await _row(outbox_id))["sent_at"] is None
        assert outbox_id in [r["id"] for r in await outbox.pending(limit=100000)]
    finally:  # no job left for the next tests, nor its dead letter for their drain()
        await OutboxMessage.delete().where(OutboxMessage.actor == "send_to_retired_gateway")
        letters.clear()


async def test_a_job_run_again_after_a_crash_no_longer_counts_as_given_up(site, jobs):
    """The embedded default killed between recording a death and marking its row: the
    next start relays the row again. Run again and done, it is no longer listed as given
    up, nor counted by ``tongban_jobs_dead``."""
    if not isinstance(broker, StubBroker):
        return  # a broker server's rows are marked sent once it holds them
    from core.jobs import dead

    GATEWAY["up"] = True
    try:
        # What a kill -9 leaves: the death recorded, the row unsent, held by a process
        # that is gone.
        row = await OutboxMessage.insert(
            OutboxMessage(
                actor="send_to_gateway",
                payload={"parcel": 91},
                attempts=2,
                last_error="ConnectionError('gateway 10.0.0.7 refused the connection')",
                held_by="a-process-that-is-gone",
            )
        ).returning(OutboxMessage.id)
        outbox_id = row[0]["id"]
        counted = await dead.given_up()

        async def sent() -> bool:
            return (await _row(outbox_id))["sent_at"] is not None

        await _until(sent, "the job relayed again to be done")
        assert 91 in DELIVERED
        assert (await _row(outbox_id))["last_error"] == ""
        assert outbox_id not in [r["id"] for r in await dead.dead(100000)]
        assert await dead.given_up() == counted - 1
    finally:
        GATEWAY["up"] = False
        await OutboxMessage.delete().where(
            (OutboxMessage.actor == "send_to_gateway") & OutboxMessage.sent_at.is_null()
        )
