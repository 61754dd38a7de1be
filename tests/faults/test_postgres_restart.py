"""PostgreSQL restarted under load: requests fail cleanly (503, no stack trace) and
succeed again afterwards without the app being restarted; the worker, whose pooled
connections the restart broke, finishes every job without being restarted either."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.faults.support import (
    api_token,
    broken_chains,
    case_rows,
    filing,
    free_port,
    site_env,
    start_server,
    start_worker,
)

CLIENTS = 12


async def test_postgres_restart_under_load(tmp_path, private_postgres, database, private_redis):
    env = site_env(database, private_redis.url, tmp_path / "var", TONGBAN_DB_POOL="6")
    port = free_port()
    server = await asyncio.to_thread(start_server, env, port, tmp_path / "serve.log", 2)
    worker = start_worker(env, tmp_path / "worker.log", "--threads", "2")
    dbname = database.rsplit("/", 1)[1]

    def count(sql: str) -> int:
        return int(private_postgres.psql(dbname, sql))

    try:
        secret, unit_id = await asyncio.to_thread(api_token, env)
        auth = {"authorization": f"Bearer {secret}"}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            first = await client.post("/api/v1/cases/", json=filing(unit_id, "warm"), headers=auth)
            assert first.status_code == 201, first.text
            code = first.json()["tracking_code"]
            app_processes = set(server.children())
            assert len(app_processes) == 2

            seen: list[tuple[float, str, int, str, str]] = []  # (time, kind, status, type, body)
            acked: dict[str, int] = {}
            stop = asyncio.Event()

            async def agent(n: int) -> None:
                round_ = 0
                while not stop.is_set():
                    round_ += 1
                    key = f"pg-{n}-{round_}"
                    deadline = time.monotonic() + 90
                    while time.monotonic() < deadline:  # retry the same filing until acknowledged
                        r = await client.post(
                            "/api/v1/cases/", json=filing(unit_id, key), headers=auth
                        )
                        seen.append((time.monotonic(), "file", r.status_code,
                                     r.headers.get("content-type", ""), r.text))  # fmt: skip
                        if r.status_code == 201:
                            acked[key] = r.json()["id"]
                            break
                        await asyncio.sleep(0.3)
                    page = await client.get("/status/", params={"code": code, "last4": "9000"})
                    seen.append((time.monotonic(), "page", page.status_code,
                                 page.headers.get("content-type", ""), page.text))  # fmt: skip

            agents = [asyncio.create_task(agent(n)) for n in range(CLIENTS)]
            await asyncio.sleep(3)
            down_at = time.monotonic()
            await asyncio.to_thread(private_postgres.stop, "fast")
            await asyncio.sleep(4)  # the database is away
            await asyncio.to_thread(private_postgres.start)
            up_at = time.monotonic()
            await asyncio.sleep(8)
            stop.set()
            await asyncio.gather(*agents)

        # The same app processes served before, during and after: nothing was restarted.
        assert set(server.children()) == app_processes
        assert server.process.poll() is None
        statuses = {s for _, _, s, _, _ in seen}
        assert statuses <= {200, 201, 503}, server.errors()
        failures = [entry for entry in seen if entry[2] == 503]
        assert failures, "the restart was not felt"
        assert all(down_at <= t <= up_at + 5 for t, *_ in failures)
        for _, kind, _, content_type, body in failures:
            assert "Traceback" not in body and "asyncpg" not in body
            # The API answers JSON, the page HTML; both say so in the default language.
            expected = "application/json" if kind == "file" else "text/html"
            assert content_type.startswith(expected)
            assert "服务暂时不可用，请一分钟后再试。" in body
        # Recovered: everything in the last seconds succeeded.
        tail = [s for t, _, s, _, _ in seen if t > up_at + 5]
        assert tail and set(tail) <= {200, 201}
        # And nothing filed during the turmoil is doubled or half-written.
        rows = await case_rows(database)
        keys = [r["idempotency_key"] for r in rows if r["idempotency_key"] != "warm"]
        assert sorted(keys) == sorted(acked)
        assert all(r["events"] == r["event_count"] >= 1 and r["tasks"] >= 1 for r in rows)
        assert await broken_chains(database, [r["id"] for r in rows]) == []

        # Every case event reaches the plugins, once, through the worker that was running
        # all along: its connection pools reconnect as the app's do.
        def drained() -> bool:
            return count("SELECT count(*) FROM jobs_outbox WHERE sent_at IS NULL") == 0 and count(
                "SELECT count(*) FROM jobs_processed WHERE key LIKE 'case_event:%'"
            ) == count("SELECT count(*) FROM jobs_outbox WHERE actor = 'case_event'")

        deadline = time.monotonic() + 120
        while not await asyncio.to_thread(drained):
            assert time.monotonic() < deadline, f"jobs not done: {worker.output()[-3000:]}"
            await asyncio.sleep(0.5)
        assert worker.process.poll() is None, "the worker was not restarted"
    finally:
        worker.stop()
        await asyncio.to_thread(server.stop)
