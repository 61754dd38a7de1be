"""How many messages a ``tongban worker`` takes ahead of time.

Dramatiq's default for the delay queue is 1,000 per thread: with ``--threads 4`` one
worker held up to 4,000 retries (notifications to a down SMS gateway), in its memory
and out of every other worker's reach. Now 100 per process, set by
``TONGBAN_WORKER_DELAY_PREFETCH``; the job queue's by ``TONGBAN_WORKER_PREFETCH``.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import time

import pytest
from dramatiq import Message
from dramatiq.brokers.stub import StubBroker

from core.jobs.standalone import make_worker
from core.settings import get_settings, load_settings
from tests.helpers import ScratchSite

TONGBAN = [sys.executable, "-c", "from core.cli import main; main()"]


def _prefetch_of_consumers(threads: int, **env: str) -> dict[str, int]:
    """Start the worker ``tongban worker`` starts, on a broker of its own, and read what
    each of its consumers asks the broker for."""
    settings = load_settings({**os.environ, **env})
    broker = StubBroker()
    broker.emit_after("process_boot")
    worker = make_worker(broker, threads, settings)
    worker.start()
    try:
        # Declared once the worker runs: the stub lists a queue declared earlier with its
        # delay queue among the plain ones (Redis and RabbitMQ do not).
        broker.declare_queue("jobs")
        return {name: consumer.prefetch for name, consumer in worker.consumers.items()}
    finally:
        worker.stop(timeout=10_000)


def test_the_worker_holds_100_delayed_messages_whatever_its_threads():
    assert _prefetch_of_consumers(4) == {"jobs": 8, "jobs.DQ": 100}
    assert _prefetch_of_consumers(16) == {"jobs": 32, "jobs.DQ": 100}


def test_the_environment_sets_both_prefetches():
    consumers = _prefetch_of_consumers(
        4, TONGBAN_WORKER_PREFETCH="4", TONGBAN_WORKER_DELAY_PREFETCH="25"
    )
    assert consumers == {"jobs": 4, "jobs.DQ": 25}


@pytest.mark.parametrize("value", ["abc", "0", "-5", "70000", "1.5"])
def test_a_bad_prefetch_stops_the_worker_naming_it(tmp_path, value):
    env = {**os.environ, "TONGBAN_VAR_DIR": str(tmp_path / "var")}
    env["TONGBAN_WORKER_DELAY_PREFETCH"] = value
    result = subprocess.run(
        [*TONGBAN, "worker"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert (
        f"TONGBAN_WORKER_DELAY_PREFETCH 须为 1 至 65535 的整数，而不是 {value!r}" in result.stderr
    )
    assert "must be a whole number from 1 to 65535" in result.stderr
    assert not (tmp_path / "var").exists()  # nothing made


def _redis_broker(namespace: str):
    from dramatiq.brokers.redis import RedisBroker

    return RedisBroker(url=get_settings().broker_url, namespace=namespace)


@pytest.mark.skipif(
    not (get_settings().broker_url or "").startswith("redis"), reason="needs a Redis broker"
)
async def test_a_running_worker_leaves_the_other_delayed_messages_in_redis(tmp_path):
    """30 retries wait an hour; a `tongban worker` with 5 threads takes 10 of them and
    leaves 20 in the broker for other workers (Dramatiq's default took all 30)."""
    async with ScratchSite(tmp_path / "var") as site:
        env = {**site.env, "TONGBAN_WORKER_DELAY_PREFETCH": "10"}
        migrate = await asyncio.to_thread(
            subprocess.run, [*TONGBAN, "migrate"], env=env, capture_output=True, text=True
        )
        assert migrate.returncode == 0, migrate.stderr
        # The scratch site's own queue (core.jobs.broker names it after site and database).
        database_url = load_settings(env).database_url
        tag = f"demo-{hashlib.sha1(database_url.encode()).hexdigest()[:8]}"
        queue, broker = f"tongban-{tag}", _redis_broker(f"tongban-{tag}")
        broker.declare_queue(queue)
        try:
            for n in range(30):
                message = Message(
                    queue_name=queue,
                    actor_name="case_event",
                    args=(n, n, 1),
                    kwargs={},
                    options={},
                )
                broker.enqueue(message, delay=3_600_000)
            waiting = f"tongban-{tag}:{queue}.DQ"
            assert broker.client.llen(waiting) == 30
            worker = subprocess.Popen(
                [*TONGBAN, "worker", "--threads", "5"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                deadline = time.monotonic() + 60
                while broker.client.llen(waiting) == 30 and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
                await asyncio.sleep(2)  # it would take more now if it were to
                left = broker.client.llen(waiting)
            finally:
                worker.terminate()
                output, _ = await asyncio.to_thread(worker.communicate, timeout=60)
            assert left == 20, output[-3000:]
            assert "threads, prefetch 10, delay prefetch 10" in output
            # Stopped, it gives back what it held.
            assert broker.client.llen(waiting) == 30, output[-3000:]
        finally:
            broker.client.delete(*broker.client.keys(f"tongban-{tag}:*"))
            broker.close()
