"""``tongban worker``: a Dramatiq worker plus the outbox relay and the periodic
scheduler (the deadline sweep every minute), for production."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from dramatiq import Worker

from core import db
from core.jobs import actors  # noqa: F401 - declares the actors
from core.jobs.broker import broker
from core.jobs.relay import relay_forever
from core.jobs.scheduler import periodic_jobs, schedule_forever

log = logging.getLogger("tongban.worker")


def run_worker(threads: int) -> None:
    logging.basicConfig(level=logging.INFO)
    # A plugin's bad declaration stops the worker, naming the plugin.
    jobs = periodic_jobs(actors=broker.actors)
    worker = Worker(broker, worker_threads=threads)
    stop = threading.Event()

    def request_stop(*_):
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    started = False

    async def relay_until_stopped() -> None:
        nonlocal started
        done = asyncio.Event()

        async def watch() -> None:
            while not stop.is_set():
                await asyncio.sleep(0.2)
            done.set()

        watcher = asyncio.create_task(watch())
        # The relay's and the scheduler's loop: a small pool of its own. Started before
        # PostgreSQL (a power cut), the worker waits for it before taking any message:
        # jobs run meanwhile would fail and use up their retries.
        if not await db.start_when_reachable(size=2, stop=done):
            await watcher
            return
        worker.start()
        started = True
        log.info("worker started with %s threads", threads)
        task = asyncio.create_task(relay_forever(interval=0.5, stop=done))
        scheduler = asyncio.create_task(schedule_forever(stop=done, jobs=jobs))
        await watcher
        await task
        await scheduler
        await db.stop()

    try:
        asyncio.run(relay_until_stopped())
    finally:
        # Finishes the messages in hand; unacknowledged ones return to the broker.
        if started:
            worker.stop()
        log.info("worker stopped")
