"""A one-off job rides out an hour's outage of what it needs (the database restarted for
an upgrade, an SMS gateway down) instead of being dead-lettered within seconds.

``case_event`` used to give up after 5 retries from half a second: about 15 s of
PostgreSQL away, and the case's plugins (receipts, notices) never heard of it.
"""

from __future__ import annotations

import pytest
from dramatiq.middleware.retries import DEFAULT_MAX_BACKOFF

from core.jobs.actors import case_event, deliver_notification, recompute_deadlines

HOUR_MS = 3_600_000


def _shortest_patience(actor) -> int:
    """The least time, in ms, Dramatiq's Retries can take to give up on a message.

    Each wait is ``min_backoff * 2**n`` times a jitter in [1, 2); one that would pass
    ``max_backoff`` is drawn from [max_backoff / 2, max_backoff] instead
    (``dramatiq.common.compute_backoff``).
    """
    options = actor.options
    first, cap = options["min_backoff"], options.get("max_backoff", DEFAULT_MAX_BACKOFF)
    retries = options.get("max_retries", 20)  # Retries' default
    return sum(min(first * 2**n, cap // 2) for n in range(retries))


@pytest.mark.parametrize("actor", [case_event, deliver_notification, recompute_deadlines])
def test_one_off_jobs_retry_for_at_least_an_hour(actor):
    assert _shortest_patience(actor) >= HOUR_MS, actor.actor_name
