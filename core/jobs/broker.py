"""The Dramatiq broker, chosen by ``TONGBAN_BROKER_URL``.

- unset: an in-memory stub broker served by a worker thread in the app
  process (the embedded default; an outbox row counts as sent only once its job
  settled, so a crash loses nothing, see :class:`HeldInMemory`);
- ``redis://…``: Redis;
- ``amqp://…``: RabbitMQ.

Importing this module installs the broker globally, before any actor is declared.
"""

from __future__ import annotations

import hashlib
import os
import threading
import uuid
from collections import Counter, defaultdict, deque
from functools import partial

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.common import q_name
from dramatiq.middleware import Middleware
from dramatiq.middleware.asyncio import AsyncIO

from core.jobs.dead import DeadLetters
from core.jobs.outbox import id_of
from core.settings import get_settings


def _instance_tag() -> str:
    """Sites sharing a broker must not see each other's messages (ids repeat across
    databases), so the queue name carries a tag of the site and its database."""
    settings = get_settings()
    digest = hashlib.sha1(settings.database_url.encode()).hexdigest()[:8]
    return f"{settings.site_name}-{digest}"


QUEUE = f"tongban-{_instance_tag()}"
DEAD_LETTERS_KEPT = 100  # the embedded default's given-up messages kept in memory, a queue


def make_broker(url: str | None) -> dramatiq.Broker:
    if not url:
        broker: dramatiq.Broker = StubBroker()
        # The stub keeps every message given up, with its traceback, for good: in a serve
        # running for months, a slow leak. Their outbox rows record them all (DeadLetters,
        # ``tongban jobs dead``); memory keeps only the latest few, for a test's join to
        # re-raise and /metrics to show. Set before any worker consumes: each consumer
        # keeps the container it was given.
        broker.dead_letters_by_queue = defaultdict(partial(deque, maxlen=DEAD_LETTERS_KEPT))
        broker.emit_after("process_boot")
        broker.add_middleware(HeldInMemory())
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        # -- ops (issue 10): how soon a killed worker's messages go back to the queue --
        # A worker that stops heart-beating for TONGBAN_BROKER_HEARTBEAT_MS is dead; the
        # next queue maintenance (TONGBAN_BROKER_MAINTENANCE_CHANCE per million calls)
        # requeues what it held. Dramatiq's defaults: 60 s and 1,000.
        broker = RedisBroker(
            url=url,
            namespace=f"tongban-{_instance_tag()}",
            heartbeat_timeout=int(os.environ.get("TONGBAN_BROKER_HEARTBEAT_MS", "60000")),
            maintenance_chance=int(os.environ.get("TONGBAN_BROKER_MAINTENANCE_CHANCE", "1000")),
        )
        # -- end ops --
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        # Publisher confirms: an enqueue returns once RabbitMQ holds the message (written to
        # disk: the queues are durable, the messages persistent), so the relay never marks
        # an outbox row sent for a message the broker could still lose in a crash.
        broker = RabbitmqBroker(url=url, confirm_delivery=True)
        # A resource alarm (memory, disk) blocks publishing connections, and pika then waits
        # in basic_publish for ever: the relay stuck without a word, shutdown too. A blocked
        # connection is dropped after 3 s instead (Dramatiq retries on a new one, 6 attempts
        # in all, then the relay gives up the pass). A URL's blocked_connection_timeout wins.
        parameters = broker.parameters
        for each in parameters if isinstance(parameters, list) else [parameters]:
            if each.blocked_connection_timeout is None:
                each.blocked_connection_timeout = 3.0
    else:
        raise SystemExit(f"Tongban: unsupported broker URL {url!r}")
    broker.add_middleware(AsyncIO())
    broker.add_middleware(DatabasePool())
    broker.add_middleware(DeadLetters())  # what is given up stays visible, and can be redone
    return broker


class DatabasePool(Middleware):
    """A connection pool for the actors' event loop (Dramatiq's, one per worker process).

    Without it every query of a job opened a new PostgreSQL connection (a server
    process forked, authenticated and torn down for each). Sized to the worker's
    threads: an actor holds at most one connection at a time.

    If the database does not answer at boot, the pool is opened in the background as
    soon as it does: a loop left without one connected per query for good.
    """

    def __init__(self) -> None:
        self._opening = None  # the background opening's future, while the database was away
        self._stop = None

    def after_worker_boot(self, broker, worker) -> None:
        import asyncio

        from core import db

        thread = get_event_loop_thread()
        size = worker.worker_threads + 1
        try:
            thread.run_coroutine(asyncio.wait_for(db.start(size=size), db.ATTEMPT_TIMEOUT))
        except Exception:
            self._stop = asyncio.Event()
            self._opening = asyncio.run_coroutine_threadsafe(
                db.start_when_reachable(size=size, stop=self._stop), thread.loop
            )

    def after_worker_shutdown(self, broker, worker) -> None:
        # Runs after the worker threads finished their jobs and before AsyncIO's
        # own after_worker_shutdown stops the loop (``emit_after`` goes in reverse).
        from core import db

        thread = get_event_loop_thread()
        if self._opening is not None:
            thread.loop.call_soon_threadsafe(self._stop.set)
            self._opening.result()
            self._opening = self._stop = None
        thread.run_coroutine(db.stop())


class HeldInMemory(Middleware):
    """Which outbox messages the in-memory broker holds: relayed, and neither acknowledged
    nor rejected yet — queued, being processed, or a retry waiting out its back-off.

    They die with the process, however it ends (a kill -9 too), so on the embedded
    default an outbox row is marked sent only once its message has *settled* — its
    job done, or given up after its retries. A row held at a crash is still unsent:
    the next start relays it again, and the actor, idempotent, does its work once.

    Every enqueued message ends in exactly one ack or nack (a retry's hop from the delay
    queue too), and a retry is enqueued before its failed attempt is acknowledged, so
    an outbox id's enqueues minus its acks and nacks is what is held.

    Not relaying a held row twice, cheaply however many are held: the relay records
    this broker's :attr:`token` on the rows it hands over (``held_by``) and reads only
    rows not carrying it — a constant condition, not a list of ids that grows with the
    retries waiting out an outage (thousands of notifications while an SMS gateway is
    down, for an hour). A new token each life: rows held by a process that is gone
    are relayed again. The relay's cap counts only the messages :meth:`ready` to run,
    so retries waiting in the delay queue do not hold up new case events.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: Counter[int] = Counter()
        self._ready = 0  # held messages on the work queue or running (not in back-off)
        self._settled: set[int] = set()
        self.token = uuid.uuid4().hex

    def after_enqueue(self, broker, message, delay) -> None:
        self._count(message, 1)

    def after_ack(self, broker, message) -> None:
        self._count(message, -1)

    after_nack = after_ack

    def _count(self, message, step: int) -> None:
        if (outbox_id := id_of(message)) is None:
            return
        delayed = q_name(message.queue_name) != message.queue_name  # on <queue>.DQ
        with self._lock:
            self._ready += 0 if delayed else step
            self._held[outbox_id] += step
            if not self._held[outbox_id]:
                del self._held[outbox_id]
                self._settled.add(outbox_id)

    def ready(self) -> int:
        """Held messages ready to run or running: not those waiting out a retry's back-off."""
        with self._lock:
            return self._ready

    def settled(self) -> list[int]:
        """Outbox ids whose jobs settled, not yet marked sent."""
        with self._lock:
            return sorted(self._settled)

    def forget(self, ids: list[int]) -> None:
        """Marked sent in the database: no longer ours to remember."""
        with self._lock:
            self._settled.difference_update(ids)

    def drop_held(self) -> None:
        """The broker was emptied: what it held is unsent in the outbox, for the next start
        (or a worker started again in this process: a new token makes it relay them)."""
        with self._lock:
            self._held.clear()
            self._ready = 0
            self.token = uuid.uuid4().hex


def in_memory() -> HeldInMemory | None:
    """The embedded default's bookkeeping; None for a broker server, which keeps its own
    messages (a row is sent once the server holds the message)."""
    return next((m for m in broker.middleware if isinstance(m, HeldInMemory)), None)


def empty_in_memory() -> None:
    """Empty the in-memory broker once its worker stopped, so that a worker started again in
    this process does not run those messages twice; their rows are still unsent."""
    if isinstance(broker, StubBroker):
        for queue_name in broker.queues:
            broker.flush(queue_name)
    if (memory := in_memory()) is not None:
        memory.drop_held()


broker = make_broker(get_settings().broker_url)
dramatiq.set_broker(broker)
