"""kill -9 of an app process while agents file cases and retry with idempotency keys.

Every filing a client saw acknowledged exists exactly once; every case in the
database was acknowledged; none is half-written (its event, task and outbox
message committed with it, its hash chain intact).
"""

from __future__ import annotations

import asyncio
import os
import signal
import uuid

import httpx

from tests.faults.support import (
    api_token,
    broken_chains,
    case_rows,
    filing,
    free_port,
    site_env,
    start_server,
)

CLIENTS = 24
PER_CLIENT = 6


async def _file_until_acknowledged(client, headers, unit_id, key, acked, errors) -> None:
    for _attempt in range(200):
        try:
            response = await client.post(
                "/api/v1/cases/", json=filing(unit_id, key), headers=headers, timeout=15
            )
        except httpx.TransportError:  # the process died under us: retry with the same key
            await asyncio.sleep(0.2)
            continue
        if response.status_code in (200, 201):
            acked[key] = response.json()
            return
        if response.status_code in (502, 503):  # restarting: a clean "try again"
            await asyncio.sleep(0.2)
            continue
        errors.append((key, response.status_code, response.text[:500]))
        return
    errors.append((key, "gave up", ""))


async def test_kill_9_app_process_during_concurrent_filings(tmp_path, database, private_redis):
    env = site_env(database, private_redis.url, tmp_path / "var", TONGBAN_DB_POOL="8")
    port = free_port()
    server = await asyncio.to_thread(start_server, env, port, tmp_path / "serve.log", 2)
    try:
        secret, unit_id = await asyncio.to_thread(api_token, env)
        headers = {"authorization": f"Bearer {secret}", "accept": "application/json"}
        run = uuid.uuid4().hex[:8]
        keys = [f"kill-{run}-{c}-{n}" for c in range(CLIENTS) for n in range(PER_CLIENT)]
        acked: dict[str, dict] = {}
        errors: list = []
        killed: list[int] = []

        async def client_loop(mine: list[str]) -> None:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                for key in mine:
                    await _file_until_acknowledged(client, headers, unit_id, key, acked, errors)

        async def killer() -> None:
            # Kill an app process twice, each time while filings are in flight.
            for threshold in (len(keys) // 4, len(keys) // 2):
                while len(acked) < threshold:
                    if errors:
                        return  # the clients' failures are the finding; see the assertions
                    await asyncio.sleep(0.02)
                children = server.children()
                assert children, "uvicorn's app processes not found"
                os.kill(children[0], signal.SIGKILL)
                killed.append(children[0])

        chunks = [keys[c * PER_CLIENT : (c + 1) * PER_CLIENT] for c in range(CLIENTS)]
        await asyncio.wait_for(
            asyncio.gather(killer(), *(client_loop(chunk) for chunk in chunks)), timeout=300
        )
        assert len(killed) == 2
        assert errors == []
        assert set(acked) == set(keys)

        rows = await case_rows(database)
        by_key = {}
        for row in rows:
            by_key.setdefault(row["idempotency_key"], []).append(row)
        # Exactly once: one case per acknowledged key, the one the client was told about.
        assert {k: len(v) for k, v in by_key.items()} == {k: 1 for k in keys}
        for key, answer in acked.items():
            assert by_key[key][0]["id"] == answer["id"]
            assert by_key[key][0]["tracking_code"] == answer["tracking_code"]
        # Nothing half-written: event count, events, task and outbox message all there.
        for row in rows:
            assert row["events"] == row["event_count"] >= 1, row
            assert row["tasks"] >= 1, row
            assert row["messages"] >= 1, row
        assert await broken_chains(database, [r["id"] for r in rows]) == []
    finally:
        await asyncio.to_thread(server.stop)
