"""One filing, request by request: CPU and database queries of each, in-process.

    .venv/bin/python bench/filing.py              # 100 filings against a private PostgreSQL
    .venv/bin/python bench/filing.py --filings 300

Where ``bench/load.py`` says how much CPU a filing costs each party, this says which
request of the app spends it. A private PostgreSQL cluster (``initdb`` in a temporary
folder) gets the demo site; the app runs in this process behind an ASGI wrapper that
times ``process_time`` per request and counts the queries Piccolo sends; an httpx
client does what an agent's tablet does (``bench/load.py``'s ``User.file``: consent on
the tablet, the resident page it redirects to, the form with a ~60 KB ID card photo,
the receipt page). Every figure includes the in-process client's share; the baseline,
measured the same way in the same run, is ``/healthz`` — the cheapest request, no
session, no query — so each route's ratio to it is what the route itself adds.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faults.support import PrivatePostgres  # noqa: E402

_NUMBER = re.compile(r"/\d+")  # /cases/17/receipt → /cases/N/receipt: one row per route
_route: list[str] = []  # the request being served (one at a time: the client is sequential)
QUERIES: Counter[str] = Counter()
CPU: Counter[str] = Counter()
COUNT: Counter[str] = Counter()


def count_queries() -> None:
    """Count every query Piccolo sends, per route (its engines' one entry point)."""
    from piccolo.engine.postgres import PostgresEngine

    original = PostgresEngine.run_querystring

    async def run_querystring(self, querystring, in_pool=True):
        if _route:
            QUERIES[_route[-1]] += 1
        return await original(self, querystring, in_pool)

    PostgresEngine.run_querystring = run_querystring


def timed(app):
    """The app behind a wrapper that charges each request's CPU to its route."""

    async def asgi(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        route = scope["method"] + " " + _NUMBER.sub("/N", scope["path"])
        _route.append(route)
        started = time.process_time()
        try:
            await app(scope, receive, send)
        finally:
            CPU[route] += time.process_time() - started
            COUNT[route] += 1
            _route.pop()

    return asgi


async def run(filings: int, profile: str | None = None) -> None:
    import httpx

    from bench import load
    from core.bootstrap import prepare
    from core.settings import get_settings
    from core.web.app import create_app

    await prepare(get_settings())
    app = create_app(get_settings())
    for hook in app.on_startup:
        await hook()
    load.PHOTO, load.SIGNATURE = load._jpeg(), load._signature()
    agent = load.User("http://bench", "agent")
    agent.client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=timed(app)), base_url="http://bench"
    )
    stats, shared = load.Stats(), load.Shared([load.PENSION])
    try:
        await agent.login()
        for _ in range(3):
            await agent.register_resident()
        for _ in range(10):  # warm: caches, prepared statements, the pool
            await agent.file(stats, shared)
        for _ in range(filings):
            await agent.client.get("/healthz")
        for counter in (QUERIES, CPU, COUNT):
            counter.clear()
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        for _ in range(filings):
            await agent.client.get("/healthz")
            if not await agent.file(stats, shared):
                raise RuntimeError("a filing failed; see the app's log above")
        if profiler:
            profiler.disable()
            profiler.dump_stats(profile)
    finally:
        await agent.client.aclose()
        for hook in app.on_shutdown:
            await hook()
    report(filings)


def report(filings: int) -> None:
    baseline = CPU["GET /healthz"] / COUNT["GET /healthz"] * 1000
    print(f"{filings} filings; CPU per request (app and in-process client), queries per request")
    print(f"  {'request':48} {'ms':>7} {'× /healthz':>11} {'queries':>8}")
    total = 0.0
    for route in sorted(CPU, key=lambda r: -CPU[r]):
        ms = CPU[route] / COUNT[route] * 1000
        if route != "GET /healthz":
            total += CPU[route] / filings * 1000
        print(f"  {route:48} {ms:7.2f} {ms / baseline:10.1f}x {QUERIES[route] / COUNT[route]:8.1f}")
    print(f"  one filing (consent, resident page, form, receipt): {total:.1f} ms of CPU")
    print(f"  baseline: GET /healthz {baseline:.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--filings", type=int, default=100)
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the timed filings")
    args = parser.parse_args()
    cluster = PrivatePostgres()
    cluster.start()
    try:
        os.environ.update(
            TONGBAN_SITE="demo",
            TONGBAN_VAR_DIR=tempfile.mkdtemp(prefix="tongban-bench-filing-"),
            TONGBAN_DATABASE_URL=cluster.create_database("tongban_filing"),
            TONGBAN_DB_POOL="4",
        )
        os.environ.pop("TONGBAN_BROKER_URL", None)  # jobs wait in the outbox: not timed here
        count_queries()
        asyncio.run(run(args.filings, args.profile))
    finally:
        cluster.destroy()


if __name__ == "__main__":
    main()
