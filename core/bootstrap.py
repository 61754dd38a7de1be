"""Bring a site's database up to date: migrations, then the site's own data.

Several processes may start at once (``tongban serve`` twice, or many app
workers); a lock — an advisory lock on PostgreSQL, a file lock on SQLite —
makes the second wait and then find nothing left to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
from collections.abc import AsyncIterator

from piccolo.apps.migrations.commands.forwards import run_forwards

from core.db import get_engine, is_postgres, when_reachable
from core.settings import Settings
from core.tenancy.site_loader import LoadReport, load_site

LOCK_KEY = 7_246_011  # any constant shared by every Tongban process


@contextlib.asynccontextmanager
async def setup_lock(settings: Settings, *, wait: bool = False) -> AsyncIterator[None]:
    """Held while one process migrates and loads the site; ``wait``: for PostgreSQL too,
    while it does not answer yet."""
    if is_postgres():
        import asyncpg

        if wait:
            _, connection = await when_reachable(lambda: asyncpg.connect(settings.database_url))
        else:
            connection = await asyncpg.connect(settings.database_url)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
            yield
        finally:
            await connection.close()  # closing the session releases the lock
    else:
        with open(settings.var_dir / "setup.lock", "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


class MigrationFailed(Exception):
    pass


async def migrate(quiet: bool = True) -> None:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise MigrationFailed(f"{result.message}\n{buffer.getvalue()}")


async def prepare(
    settings: Settings, *, load: bool = True, wait: bool = False
) -> LoadReport | None:
    """Migrate and (idempotently) load the site. Safe to run from many processes at once.

    ``wait``: a database that does not answer yet is waited for (``serve`` started
    before PostgreSQL after a power cut), not an error."""
    get_engine()
    async with setup_lock(settings, wait=wait):
        await migrate()
        return await load_site(settings) if load else None
