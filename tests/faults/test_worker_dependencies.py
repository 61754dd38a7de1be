"""The worker and the app against a dependency that is not there, or not taking messages.

- Started while PostgreSQL is down (all restarted after a power cut, the worker or the
  app first): they used to exit at once; now they wait, say so, and once PostgreSQL
  answers run (the worker its jobs on its pools) without a restart.
- A RabbitMQ resource alarm blocks publishing connections: the relay used to wait in
  ``basic_publish`` for ever, silent (and shutdown with it); now it gives up the pass
  with a warning, the rows stay unsent, and they go out once the alarm clears.
"""

from __future__ import annotations

import asyncio
import json
import subprocess

import httpx

from tests.faults.support import (
    ROOT,
    TONGBAN,
    PrivateRabbitmq,
    Proc,
    free_port,
    rabbitmqctl,
    site_env,
    start_worker,
    wait_ready,
    wait_until,
)

# A case event for no case: the actor records it in the ledger, finds nothing, returns.
OUTBOX_ROW = (
    "INSERT INTO jobs_outbox (actor, payload, created_at, attempts, last_error) "
    "VALUES ('case_event', '{\"case_id\": 0, \"seq\": 1}', now(), 0, '') RETURNING id"
)


def _add_row(cluster, dbname: str) -> int:
    return int(cluster.psql(dbname, OUTBOX_ROW).splitlines()[0])  # then psql's "INSERT 0 1"


def _job_done(cluster, dbname: str, outbox_id: int) -> bool:
    """The case event's actor ran it to the end (its ledger row)."""
    key = f"case_event:{outbox_id}"
    return cluster.psql(dbname, f"SELECT count(*) FROM jobs_processed WHERE key = '{key}'") == "1"


def _migrate(env: dict) -> None:
    subprocess.run([*TONGBAN, "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)


def _logged(worker, start: str) -> bool:
    for line in worker.output().splitlines():
        try:
            if json.loads(line).get("message", "").startswith(start):
                return True
        except ValueError:
            continue
    return False


async def test_worker_started_before_postgres(tmp_path, private_postgres, database, private_redis):
    env = site_env(database, private_redis.url, tmp_path / "var", TONGBAN_DB_POOL="4")
    dbname = database.rsplit("/", 1)[1]
    await asyncio.to_thread(_migrate, env)
    await asyncio.to_thread(private_postgres.stop, "fast")
    down = True
    worker = start_worker(env, tmp_path / "worker.log", "--threads", "1")
    try:
        await wait_until(
            lambda: _logged(worker, "database unreachable"), 30, "the worker to say so"
        )
        assert worker.process.poll() is None, worker.output()[-3000:]
        await asyncio.to_thread(private_postgres.start)
        down = False

        outbox_id = await asyncio.to_thread(_add_row, private_postgres, dbname)
        await wait_until(
            lambda: _job_done(private_postgres, dbname, outbox_id),
            45,
            f"the job: {worker.output()[-3000:]}",
        )
        assert worker.process.poll() is None
        # Its relay's pool (2) and its actors' (threads + 1 = 2) stay open; an actors' loop
        # without a pool connects per query and keeps nothing open.
        connections = await asyncio.to_thread(
            private_postgres.psql,
            dbname,
            f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{dbname}' "
            "AND pid <> pg_backend_pid()",
        )
        assert int(connections) >= 4, worker.output()[-3000:]
    finally:
        if down:  # the session's next tests need it
            await asyncio.to_thread(private_postgres.start)
        assert worker.stop() == 0, worker.output()[-3000:]


async def test_app_started_before_postgres(tmp_path, private_postgres, database, private_redis):
    env = site_env(database, private_redis.url, tmp_path / "var", TONGBAN_DB_POOL="4")
    await asyncio.to_thread(private_postgres.stop, "fast")
    down = True
    port = free_port()
    server = Proc(
        [*TONGBAN, "serve", "--port", str(port), "--json-logs"], env, tmp_path / "serve.log"
    )
    try:
        await wait_until(lambda: _logged(server, "database unreachable"), 30, "the app to say so")
        assert server.process.poll() is None, server.output()[-3000:]
        await asyncio.to_thread(private_postgres.start)
        down = False
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_ready, base, server, 120)
        async with httpx.AsyncClient(base_url=base) as client:
            ready = await client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"]["database"] == "ok"
            assert (await client.get("/status/")).status_code == 200  # a page that reads
    finally:
        if down:  # the session's next tests need it
            await asyncio.to_thread(private_postgres.start)
        # A clean stop in one process too (tests/test_serve.py): systemd records no failure.
        assert server.stop() == 0, server.output()[-3000:]


async def test_rabbitmq_alarm_relay_gives_up_the_pass(tmp_path, private_postgres, database):
    rabbit = PrivateRabbitmq()
    env = site_env(database, rabbit.url, tmp_path / "var", TONGBAN_DB_POOL="4")
    dbname = database.rsplit("/", 1)[1]

    def unsent() -> int:
        return int(
            private_postgres.psql(dbname, "SELECT count(*) FROM jobs_outbox WHERE sent_at IS NULL")
        )

    worker = None
    try:
        await asyncio.gather(asyncio.to_thread(rabbit.start), asyncio.to_thread(_migrate, env))
        worker = start_worker(env, tmp_path / "worker.log", "--threads", "1")
        await wait_until(lambda: _logged(worker, "worker started"), 60, "the worker")
        await asyncio.to_thread(rabbitmqctl, rabbit, "set_vm_memory_high_watermark", "0")

        outbox_id = await asyncio.to_thread(_add_row, private_postgres, dbname)
        await wait_until(
            lambda: _logged(worker, "broker unavailable"),
            45,
            f"the relay to give up the pass: {worker.output()[-3000:]}",
        )
        assert unsent() >= 1, "the row stays unsent for the next pass"

        await asyncio.to_thread(rabbitmqctl, rabbit, "set_vm_memory_high_watermark", "0.4")
        await wait_until(lambda: unsent() == 0, 45, "the relay to recover")
        await wait_until(lambda: _job_done(private_postgres, dbname, outbox_id), 45, "the job")
        assert worker.process.poll() is None
    finally:
        if worker is not None:
            assert worker.stop() == 0, worker.output()[-3000:]
        await asyncio.to_thread(rabbit.destroy)
