"""The actors' event loop gets its pool even when the database is away at worker boot.

``DatabasePool.after_worker_boot`` opened it once; a failure there (Dramatiq logs it
and boots on) left the actors' loop without a pool for the worker's life, every query
of every job opening a connection of its own. Now it keeps trying in the background.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from types import SimpleNamespace

import dramatiq.asyncio
import pytest
from dramatiq.asyncio import EventLoopThread

from core import db
from core.jobs.broker import DatabasePool, broker
from core.tenancy.tables import Staff

pytestmark = pytest.mark.postgres


async def _pooled() -> bool:
    return db.get_engine().pool is not None


async def _backend() -> int:
    return (await Staff.raw("SELECT pg_backend_pid() AS pid"))[0]["pid"]


def _refusing_url() -> str:
    with socket.socket() as s:  # a port nobody listens on: connections are refused
        s.bind(("127.0.0.1", 0))
        return f"postgresql://postgres@127.0.0.1:{s.getsockname()[1]}/nowhere"


async def test_actors_pool_opens_once_the_database_answers(site, monkeypatch, caplog):
    monkeypatch.setenv("TONGBAN_DB_POOL", "4")
    monkeypatch.setattr(db, "RETRY_EVERY", 0.1)
    engine = db.get_engine()
    reachable = engine.config["dsn"]
    monkeypatch.setitem(engine.config, "dsn", _refusing_url())  # the database is away

    actors_loop = EventLoopThread(logging.getLogger("test"))
    actors_loop.start()
    previous = dramatiq.asyncio.get_event_loop_thread()
    dramatiq.asyncio.set_event_loop_thread(actors_loop)
    middleware, worker = DatabasePool(), SimpleNamespace(worker_threads=1)
    try:
        with caplog.at_level(logging.WARNING, logger="tongban.db"):
            middleware.after_worker_boot(broker, worker)  # boots on, the database away
            assert not actors_loop.run_coroutine(_pooled())
            engine.config["dsn"] = reachable  # the database answers
            deadline = time.monotonic() + 30
            while not actors_loop.run_coroutine(_pooled()):
                assert time.monotonic() < deadline, "no pool once the database answered"
                await asyncio.sleep(0.05)
        assert "database unreachable" in caplog.text
        pooled = {actors_loop.run_coroutine(_backend()) for _ in range(5)}
        assert len(pooled) == 1, "the jobs' queries share a pooled connection"
    finally:
        middleware.after_worker_shutdown(broker, worker)
        dramatiq.asyncio.set_event_loop_thread(previous)
        actors_loop.stop()
