"""Test configuration: a fresh site database per session, on SQLite or PostgreSQL.

The embedded default (SQLite in a temporary var/ folder, stub broker) runs
unless the environment names ``TONGBAN_DATABASE_URL`` and ``TONGBAN_BROKER_URL``
— then the same tests run against PostgreSQL and a real broker.
"""

from __future__ import annotations

import itertools
import os
import tempfile

_VAR = tempfile.mkdtemp(prefix="tongban-test-")
os.environ.setdefault("TONGBAN_SITE", "demo")
os.environ["TONGBAN_VAR_DIR"] = _VAR
os.environ["TONGBAN_DB_POOL"] = "0"  # tests share one event loop per session, no pool needed

import httpx  # noqa: E402
import pytest  # noqa: E402

from core.settings import get_settings  # noqa: E402
from tests.helpers import Browser  # noqa: E402

ON_POSTGRES = get_settings().database_url.startswith("postgres")


def pytest_configure(config):
    if get_settings().broker_url:
        # Hypothesis warns when the global `random` changes while it draws. With a real
        # broker the session's Dramatiq worker thread draws from it meanwhile (the Redis
        # consumer's maintenance chance, retry jitter): not our strategies. The embedded
        # stage, with no such thread, still reports a strategy that uses `random`.
        config.addinivalue_line(
            "filterwarnings",
            "ignore:Do not use the `random` module inside strategies"
            ":hypothesis.errors.HypothesisDeprecationWarning",
        )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "postgres" in item.keywords and not ON_POSTGRES:
            item.add_marker(pytest.mark.skip(reason="needs TONGBAN_DATABASE_URL=postgresql://…"))
        if "sqlite" in item.keywords and ON_POSTGRES:
            item.add_marker(
                pytest.mark.skip(reason="only meaningful on the embedded SQLite default")
            )


@pytest.fixture(scope="session")
async def site():
    """Migrated database with the demo site loaded."""
    from core.bootstrap import prepare

    await prepare(get_settings())
    return get_settings()


@pytest.fixture(scope="session")
async def app(site):
    """The app, started once, served in the test's own event loop (no thread portal)."""
    from core.web.app import create_app

    application = create_app(site)
    # Our start-up hooks take no arguments; running them directly keeps set-up and
    # tear-down free of anyio cancel scopes that pytest-asyncio would split across tasks.
    for hook in application.on_startup:
        await hook()
    yield application
    for hook in application.on_shutdown:
        await hook()


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )


@pytest.fixture(scope="session")
def jobs(site):
    """A Dramatiq worker on the configured broker, for tests that run jobs."""
    from dramatiq import Worker

    from core.jobs import actors  # noqa: F401
    from core.jobs.broker import broker

    worker = Worker(broker, worker_threads=1, worker_timeout=100)
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
async def browser(app):
    async with _client(app) as client:
        yield Browser(client)


@pytest.fixture
async def new_browser(app):
    """Open extra independent browsers (one per person) inside a test."""
    clients: list[httpx.AsyncClient] = []

    async def open_one() -> Browser:
        clients.append(_client(app))
        return Browser(clients[-1])

    yield open_one
    for client in clients:
        await client.aclose()


_addresses = itertools.count(1)


@pytest.fixture
async def browser_at(app):
    """``await browser_at()``: a browser from a client address of its own (or the one
    given), so that tests of per-address throttling stay apart."""
    clients: list[httpx.AsyncClient] = []

    async def open_one(address: str | None = None) -> Browser:
        if address is None:
            n = next(_addresses)
            address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        clients.append(httpx.AsyncClient(transport=transport, base_url="http://testserver.local"))
        return Browser(clients[-1])

    yield open_one
    for client in clients:
        await client.aclose()
