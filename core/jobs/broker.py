"""The Dramatiq broker, chosen by ``TONGBAN_BROKER_URL``.

- unset: an in-memory stub broker served by a worker thread in the app
  process (the embedded default; the outbox table is what survives a crash);
- ``redis://…``: Redis;
- ``amqp://…``: RabbitMQ.

Importing this module installs the broker globally, before any actor is declared.
"""

from __future__ import annotations

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

from core.settings import get_settings

QUEUE = "tongban"


def make_broker(url: str | None) -> dramatiq.Broker:
    if not url:
        broker: dramatiq.Broker = StubBroker()
        broker.emit_after("process_boot")
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url, namespace=f"tongban-{get_settings().site_name}")
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    else:
        raise SystemExit(f"Tongban: unsupported broker URL {url!r}")
    broker.add_middleware(AsyncIO())
    return broker


broker = make_broker(get_settings().broker_url)
dramatiq.set_broker(broker)
