"""The database engine, chosen by ``TONGBAN_DATABASE_URL`` (SQLite by default).

Piccolo finds its engine through ``PICCOLO_CONF``; we point that at
:mod:`core.piccolo_conf`, which asks this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import TypeVar
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.settings import get_settings

os.environ.setdefault("PICCOLO_CONF", "core.piccolo_conf")

log = logging.getLogger("tongban.db")
T = TypeVar("T")

RETRY_EVERY = 2.0  # seconds between two attempts to open a pool while the database is away
ATTEMPT_TIMEOUT = 10.0  # one attempt at most (a host that drops packets never refuses)
REPORT_EVERY = 60.0  # seconds between two warnings that the database is still away


class PostgresEngineWithPoolPerLoop(PostgresEngine):
    """Piccolo's PostgreSQL engine, with a connection pool for each event loop.

    An asyncpg pool belongs to the loop that made it, and a Tongban process can
    run two: a worker runs its actors in Dramatiq's event-loop thread beside the
    relay's loop, and the embedded default runs them beside the app's. Piccolo
    reads ``engine.pool`` wherever it needs a connection; here that is the pool
    of the running loop, and a loop that started none connects per query (as a
    test's does, ``TONGBAN_DB_POOL=0``).
    """

    @property
    def pool(self):  # type: ignore[override]
        return self.__dict__.setdefault("_pools", {}).get(_running_loop())

    @pool.setter
    def pool(self, value) -> None:
        pools = self.__dict__.setdefault("_pools", {})
        if value is None:
            pools.pop(_running_loop(), None)
        else:
            pools[_running_loop()] = value


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def make_engine(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else parsed.path
        _prepare_sqlite(path)
        # timeout: wait for a concurrent writer instead of failing with "database is locked".
        return SQLiteEngine(path=path, timeout=30)
    if parsed.scheme in ("postgres", "postgresql"):
        return PostgresEngineWithPoolPerLoop(config={"dsn": url})
    raise SystemExit(f"Tongban: unsupported database URL scheme {parsed.scheme!r}")


def _prepare_sqlite(path: str) -> None:
    """WAL lets readers proceed while one writer commits; it is a property of the file."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
    finally:
        connection.close()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


def is_postgres() -> bool:
    return isinstance(get_engine(), PostgresEngine)


async def start(size: int | None = None) -> None:
    """Open this event loop's connection pool (PostgreSQL; at most ``TONGBAN_DB_POOL``)."""
    engine = get_engine()
    configured = int(os.environ.get("TONGBAN_DB_POOL", "20"))
    size = configured if size is None else min(size, configured)
    if isinstance(engine, PostgresEngine) and size > 0 and engine.pool is None:
        await engine.start_connection_pool(
            min_size=min(2, size), max_size=size, reset=_release_without_reset_query
        )


async def start_when_reachable(size: int | None = None, stop: asyncio.Event | None = None) -> bool:
    """:func:`start`, waiting for the database while it does not answer; False if ``stop``
    was set first.

    A worker may start before PostgreSQL (both restarted after a power cut): it waits,
    with a warning now and then, instead of dying or running on without a pool.
    """
    started, _ = await when_reachable(lambda: start(size), stop)
    return started


async def when_reachable(
    attempt: Callable[[], Awaitable[T]], stop: asyncio.Event | None = None
) -> tuple[bool, T | None]:
    """``(True, attempt())`` once the database answers, trying every :data:`RETRY_EVERY`
    seconds with a warning now and then; ``(False, None)`` if ``stop`` was set first.
    Each attempt is bounded, so ``stop`` is seen within :data:`ATTEMPT_TIMEOUT` seconds."""
    stop = stop or asyncio.Event()
    waiting_since = last_report = None
    while not stop.is_set():
        try:
            result = await asyncio.wait_for(attempt(), ATTEMPT_TIMEOUT)
        except Exception as exc:  # refused, timed out, starting up, unknown database…
            now = time.monotonic()
            if last_report is None or now - last_report >= REPORT_EVERY:
                log.warning(
                    "database unreachable (%s); trying again every %g s",
                    str(exc) or type(exc).__name__,
                    RETRY_EVERY,
                )
                waiting_since = waiting_since or now
                last_report = now
        else:
            if waiting_since is not None:
                log.info("database reachable again after %.0f s", time.monotonic() - waiting_since)
            return True, result
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RETRY_EVERY)
    return False, None


async def _release_without_reset_query(connection) -> None:
    """What a pooled connection needs on release: nothing beyond asyncpg's own clean-up.

    asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL;
    UNLISTEN *; RESET ALL`` after every query run outside a transaction: a second
    round trip (and a second transaction in ``pg_stat_database``) per query. Tongban's
    pooled queries leave no session state behind — no session-level advisory locks
    (the set-up lock takes its own connection), cursors, LISTEN or ``SET`` (only
    ``SET LOCAL`` / ``SET TRANSACTION``, which end with their transaction) — and an
    open transaction is still rolled back and listeners dropped by asyncpg before
    this runs (``Connection._reset``).
    """


async def stop() -> None:
    """Close this event loop's pool, if it has one."""
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


async def ping() -> bool:
    try:
        await get_engine().run_ddl("SELECT 1")
        return True
    except Exception:
        return False


def transaction():
    """A transaction that takes the write lock up front on SQLite.

    SQLite's default deferred transactions deadlock when two of them upgrade
    from reading to writing; IMMEDIATE makes the second wait (busy timeout).
    """
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()
