"""The Dramatiq broker, chosen by ``TONGBAN_BROKER_URL``.

- unset: an in-memory stub broker served by a worker thread in the app
  process (the embedded default; the outbox table is what survives a crash);
- ``redis://…``: Redis;
- ``amqp://…``: RabbitMQ.

Importing this module installs the broker globally, before any actor is declared.
"""

from __future__ import annotations

import hashlib
import os

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import Middleware
from dramatiq.middleware.asyncio import AsyncIO

from core.settings import get_settings


def _instance_tag() -> str:
    """Sites sharing a broker must not see each other's messages (ids repeat across
    databases), so the queue name carries a tag of the site and its database."""
    settings = get_settings()
    digest = hashlib.sha1(settings.database_url.encode()).hexdigest()[:8]
    return f"{settings.site_name}-{digest}"


QUEUE = f"tongban-{_instance_tag()}"


def make_broker(url: str | None) -> dramatiq.Broker:
    if not url:
        broker: dramatiq.Broker = StubBroker()
        broker.emit_after("process_boot")
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

        broker = RabbitmqBroker(url=url)
    else:
        raise SystemExit(f"Tongban: unsupported broker URL {url!r}")
    broker.add_middleware(AsyncIO())
    broker.add_middleware(DatabasePool())
    return broker


class DatabasePool(Middleware):
    """A connection pool for the actors' event loop (Dramatiq's, one per worker process).

    Without it every query of a job opened a new PostgreSQL connection (a server
    process forked, authenticated and torn down for each). Sized to the worker's
    threads: an actor holds at most one connection at a time.
    """

    def after_worker_boot(self, broker, worker) -> None:
        from core import db

        get_event_loop_thread().run_coroutine(db.start(size=worker.worker_threads + 1))

    def after_worker_shutdown(self, broker, worker) -> None:
        # Runs after the worker threads finished their jobs and before AsyncIO's
        # own after_worker_shutdown stops the loop (``emit_after`` goes in reverse).
        from core import db

        get_event_loop_thread().run_coroutine(db.stop())


broker = make_broker(get_settings().broker_url)
dramatiq.set_broker(broker)
