"""Connection pools per event loop: a worker's actors reuse their connections.

Dramatiq runs async actors in an event-loop thread of its own, beside the loop of
the app (embedded default) or of the relay (``tongban worker``). An asyncpg pool
belongs to one loop, so each loop that starts one has its own; before this, the
actors' loop had none and every query of every job opened a new connection.
"""

from __future__ import annotations

import logging

import pytest
from dramatiq.asyncio import EventLoopThread

from core import db
from core.tenancy.tables import Staff

pytestmark = pytest.mark.postgres


async def _backend() -> int:
    return (await Staff.raw("SELECT pg_backend_pid() AS pid"))[0]["pid"]


async def test_a_second_event_loop_gets_a_pool_of_its_own(site, monkeypatch):
    monkeypatch.setenv("TONGBAN_DB_POOL", "4")
    engine = db.get_engine()
    assert engine.pool is None, "the tests' loop runs without a pool (TONGBAN_DB_POOL=0)"

    actors_loop = EventLoopThread(logging.getLogger("test"))
    actors_loop.start()
    try:
        actors_loop.run_coroutine(db.start(size=1))
        pooled = {actors_loop.run_coroutine(_backend()) for _ in range(5)}
        assert len(pooled) == 1, "one pooled connection serves every query of that loop"
        assert engine.pool is None, "the other loop's pool is not this loop's"
        unpooled = {await _backend() for _ in range(3)}
        assert len(unpooled) == 3 and not unpooled & pooled
    finally:
        actors_loop.run_coroutine(db.stop())
        actors_loop.stop()
