"""The database engine, chosen by ``TONGBAN_DATABASE_URL`` (SQLite by default).

Piccolo finds its engine through ``PICCOLO_CONF``; we point that at
:mod:`core.piccolo_conf`, which asks this module.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from functools import lru_cache
from urllib.parse import urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from core.settings import get_settings

os.environ.setdefault("PICCOLO_CONF", "core.piccolo_conf")


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
