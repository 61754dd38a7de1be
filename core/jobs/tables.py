"""The outbox: messages written in the same transaction as the change that caused them."""

from __future__ import annotations

from piccolo.columns import JSONB, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxMessage(Table, tablename="jobs_outbox"):
    actor = Varchar(length=64)
    payload = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None, index=True)
    attempts = Integer(default=0)
    last_error = Text(default="")
    # The embedded default: the token of the in-memory broker that holds the message
    # (relayed, its job not settled yet); see core.jobs.broker.HeldInMemory.
    held_by = Varchar(length=32, null=True, default=None)


class ProcessedMessage(Table, tablename="jobs_processed"):
    """Idempotency ledger: an actor records the outbox id it has handled."""

    key = Varchar(length=128, unique=True)
    processed_at = Timestamptz(default=TimestamptzNow())
