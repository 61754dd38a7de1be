"""kill -9 of a worker in the middle of a job: the job is redone, its effect happens once.

Run on Redis and on RabbitMQ (the ``private_broker`` fixture). RabbitMQ requeues an
unacknowledged message as soon as its consumer's connection drops; Redis once the
dead worker's heartbeat is missed (made quick below)."""

from __future__ import annotations

import asyncio
import sys
import time

import httpx

from tests.faults.support import (
    Proc,
    api_token,
    filing,
    free_port,
    site_env,
    start_server,
)

# Redis: a dead worker's messages go back to the queue after 3 s without a heartbeat.
QUICK_REQUEUE = {
    "TONGBAN_BROKER_HEARTBEAT_MS": "3000",
    "TONGBAN_BROKER_MAINTENANCE_CHANCE": "1000000",
}


def _slow_worker(env, log, marks, sleep) -> Proc:
    return Proc(
        [sys.executable, "-m", "tests.faults.slow_worker", "--threads", "1", "--json-logs"],
        {**env, "FAULT_MARKS": str(marks), "FAULT_SLEEP": str(sleep)},
        log,
    )


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_kill_9_worker_mid_job(tmp_path, private_postgres, database, private_broker):
    env = site_env(
        database, private_broker.url, tmp_path / "var", TONGBAN_DB_POOL="4", **QUICK_REQUEUE
    )
    dbname = database.rsplit("/", 1)[1]
    port = free_port()
    server = await asyncio.to_thread(start_server, env, port, tmp_path / "serve.log", 1)
    marks = tmp_path / "marks"
    marks.touch()
    workers: list[Proc] = []
    try:
        private_postgres.psql(
            dbname,
            "CREATE TABLE fault_effects (case_id int, seq int, pid int, at timestamptz DEFAULT now())",
        )
        secret, unit_id = await asyncio.to_thread(api_token, env)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            response = await client.post(
                "/api/v1/cases/",
                json=filing(unit_id, "kill-worker-1"),
                headers={"authorization": f"Bearer {secret}"},
            )
        assert response.status_code == 201, response.text
        case_id = response.json()["id"]

        # The first worker starts the job, and is killed while it is in the middle of it.
        workers.append(_slow_worker(env, tmp_path / "worker1.log", marks, sleep=30))

        def started():
            return [
                line
                for line in marks.read_text().splitlines()
                if line.startswith(f"start {case_id} 1 ")
            ]

        await asyncio.to_thread(_wait_for, started, 90, "the job to start")
        workers[0].kill9()

        def effects():
            return int(
                private_postgres.psql(
                    dbname, f"SELECT count(*) FROM fault_effects WHERE case_id = {case_id}"
                )
            )

        assert effects() == 0  # the effect was in the killed job's transaction: rolled back

        # A second worker gets the message back from the broker and does the job.
        workers.append(_slow_worker(env, tmp_path / "worker2.log", marks, sleep=0))
        await asyncio.to_thread(_wait_for, effects, 90, "the job to be redone")
        await asyncio.sleep(4)  # room for a wrongful second delivery to show itself
        assert effects() == 1
        assert len(started()) == 2  # started twice: once killed, once done
        pids = private_postgres.psql(
            dbname, f"SELECT pid FROM fault_effects WHERE case_id = {case_id}"
        )
        assert int(pids) == workers[1].pid
        ledger = private_postgres.psql(
            dbname, "SELECT count(*) FROM jobs_processed WHERE key LIKE 'case_event:%'"
        )
        assert int(ledger) == 1
    finally:
        for worker in workers:
            await asyncio.to_thread(worker.stop)
        await asyncio.to_thread(server.stop)
