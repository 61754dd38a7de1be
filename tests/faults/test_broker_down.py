"""The broker stopped for a while: filings still succeed, the outbox drains after restart.

Run on Redis and on RabbitMQ (the ``private_broker`` fixture)."""

from __future__ import annotations

import asyncio
import re

import httpx

from tests.faults.support import (
    api_token,
    filing,
    free_port,
    site_env,
    start_server,
    start_worker,
    wait_until,
)


def _count(cluster, dbname: str, sql: str) -> int:
    return int(cluster.psql(dbname, sql))


async def _lag(client: httpx.AsyncClient) -> float:
    metrics = (await client.get("/metrics")).text
    return float(re.search(r"^tongban_outbox_lag (\S+)$", metrics, re.MULTILINE).group(1))


async def test_broker_stopped_filings_succeed_and_outbox_drains(
    tmp_path, private_postgres, database, private_broker
):
    env = site_env(database, private_broker.url, tmp_path / "var", TONGBAN_DB_POOL="4")
    dbname = database.rsplit("/", 1)[1]

    # The filings' messages; the workers' periodic ticks (a minute's deadline
    # sweep) join the outbox too whenever a minute turns during the test.
    def unsent(where: str = "actor = 'case_event'"):
        return _count(
            private_postgres,
            dbname,
            f"SELECT count(*) FROM jobs_outbox WHERE sent_at IS NULL AND {where}",
        )

    def handled():
        return _count(
            private_postgres,
            dbname,
            "SELECT count(*) FROM jobs_processed WHERE key LIKE 'case_event:%'",
        )

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = await asyncio.to_thread(start_server, env, port, tmp_path / "serve.log", 1)
    worker = start_worker(env, tmp_path / "worker.log", "--threads", "2")
    try:
        secret, unit_id = await asyncio.to_thread(api_token, env)
        headers = {"authorization": f"Bearer {secret}"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=20) as client:

            async def file(key: str) -> None:
                response = await client.post("/api/v1/cases/", json=filing(unit_id, key))
                assert response.status_code == 201, response.text

            await asyncio.gather(*(file(f"before-{n}") for n in range(3)))
            await wait_until(lambda: unsent() == 0 and handled() == 3, 90, "the first jobs")

            private_broker.stop()
            await asyncio.gather(*(file(f"during-{n}") for n in range(10)))
            ready = await client.get("/readyz")
            assert ready.status_code == 200  # filings work, so the app stays in rotation
            assert ready.json()["checks"] == {"database": "ok", "broker": "down"}
            metrics = (await client.get("/metrics")).text
            assert 'tongban_dependency_up{name="broker"} 0.0' in metrics
            await asyncio.sleep(3)  # several relay passes fail meanwhile; nothing is lost
            assert unsent() == 10
            assert 10 <= await _lag(client) <= unsent("true")

            private_broker.start()  # same port and data: the queue as it was
            await wait_until(
                lambda: unsent("true") == 0 and handled() == 13, 120, "the outbox to drain"
            )
            lags = []  # the metric shows the drain (a periodic tick may come and go meanwhile)
            while len(lags) < 50 and (not lags or lags[-1] != 0):
                lags.append(await _lag(client))
                await asyncio.sleep(0.2)
            assert lags[-1] == 0, lags
            metrics = (await client.get("/metrics")).text
            # The app's own connection to the broker came back too, without a restart.
            assert 'tongban_dependency_up{name="broker"} 1.0' in metrics
            ready = await client.get("/readyz")
            assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}
            assert _count(private_postgres, dbname, "SELECT count(*) FROM cases_case") == 13
    finally:
        await asyncio.to_thread(worker.stop)
        await asyncio.to_thread(server.stop)
