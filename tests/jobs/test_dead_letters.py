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
