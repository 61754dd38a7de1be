"""Is each dependency there? Used by ``/readyz`` and by the metrics scrape.

Every probe is bounded in time: a proxy or an orchestrator polls these, and a
probe that hangs on a black-holed connection is worse than one that says no.
"""

from __future__ import annotations

import asyncio

from core import db
from core.settings import get_settings

PROBE_TIMEOUT = 2.0  # seconds


async def database_up() -> bool:
    try:
        return await asyncio.wait_for(db.ping(), PROBE_TIMEOUT)
    except Exception:
        return False


def _broker_ping() -> None:
    from core.jobs.broker import QUEUE, broker

    client = getattr(broker, "client", None)
    if client is not None:  # Redis
        client.ping()
    elif hasattr(broker, "get_queue_message_counts"):  # RabbitMQ: a round trip on a channel
        _on_rabbitmq(broker, lambda: broker.get_queue_message_counts(QUEUE))


def _on_rabbitmq(broker, call):
    """``call()`` on this thread's RabbitMQ channel. Dramatiq keeps one connection per
    thread and replaces a lost one when it publishes, not when it is asked for counts:
    after a broker restart (or heartbeats missed while idle) every probe on this thread
    would fail for good. So a lost connection is dropped and the call tried once more."""
    import pika.exceptions

    try:
        return call()
    except (pika.exceptions.AMQPConnectionError, pika.exceptions.AMQPChannelError):
        del broker.connection  # Dramatiq's own way to discard this thread's connection
        return call()


async def broker_up() -> bool | None:
    """True/False for a broker server; None for the embedded default (nothing to reach)."""
    if get_settings().embedded_worker:
        return None
    try:
        await asyncio.wait_for(asyncio.to_thread(_broker_ping), PROBE_TIMEOUT)
        return True
    except Exception:
        return False


async def jobs_dead() -> int:
    """Jobs given up (retries spent, or an actor no worker knows) and not redone, from
    their outbox rows: the same on every broker, and what ``tongban jobs dead`` lists.

    The brokers' own dead letters (``queue_depths``) are no count of that: Redis and
    RabbitMQ keep each for a week, redone or not, and the embedded default only the
    latest 100 (core.jobs.broker.DEAD_LETTERS_KEPT). One count over a partial index."""
    from core.jobs.dead import given_up

    return await given_up()


def queue_depths() -> list[tuple[str, str, int]]:
    """``(queue, kind, count)`` for every declared queue; kind is ready, delayed or dead
    (the broker's dead letters, see :func:`jobs_dead`; not on the embedded default, which
    keeps only the latest few in memory).

    Blocking (broker clients are synchronous): call it in a thread.
    """
    from dramatiq.common import dq_name, xq_name

    from core.jobs import actors  # noqa: F401 - declares the core's queues
    from core.jobs.broker import broker

    names = sorted(q for q in broker.get_declared_queues() if not q.endswith((".DQ", ".XQ")))
    rows: list[tuple[str, str, int]] = []
    client = getattr(broker, "client", None)
    for name in names:
        if client is not None:  # Redis keeps every unacknowledged message in <queue>.msgs
            ns = broker.namespace
            counts = (
                client.hlen(f"{ns}:{name}.msgs"),
                client.hlen(f"{ns}:{dq_name(name)}.msgs"),
                client.hlen(f"{ns}:{xq_name(name)}.msgs"),
            )
        elif hasattr(broker, "get_queue_message_counts"):  # RabbitMQ
            counts = _on_rabbitmq(broker, lambda name=name: broker.get_queue_message_counts(name))
        else:  # the embedded stub broker; its dead letters in memory are capped, no count
            counts = (
                broker.queues[name].qsize(),
                broker.queues[dq_name(name)].qsize() if dq_name(name) in broker.queues else 0,
            )
        rows += [
            (name, kind, int(n))
            for kind, n in zip(("ready", "delayed", "dead"), counts, strict=False)
        ]
    return rows


async def readiness() -> tuple[bool, dict[str, str]]:
    """Whether this process should receive traffic, and each check's answer."""
    database, broker = await asyncio.gather(database_up(), broker_up())
    checks = {"database": "ok" if database else "down"}
    if broker is not None:
        checks["broker"] = "ok" if broker else "down"
    # Without the broker, filings still commit (the outbox keeps their messages),
    # so only the database decides readiness; the broker is reported.
    return database, checks
