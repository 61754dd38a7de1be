"""The broker servers as configured from ``TONGBAN_BROKER_URL`` (no server needed here)."""

from __future__ import annotations

from core.jobs.broker import DatabasePool, make_broker


def test_rabbitmq_confirms_every_message_the_relay_hands_it():
    """The relay marks an outbox row sent when the enqueue returns: with RabbitMQ that
    must mean the broker has the message, not that it was written to a socket."""
    broker = make_broker("amqp://guest:guest@127.0.0.1:5672/")
    assert broker.confirm_delivery
    assert any(isinstance(m, DatabasePool) for m in broker.middleware)
