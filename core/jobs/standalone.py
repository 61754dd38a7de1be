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
    worker.start()
    stop = threading.Event()

    def request_stop(*_):
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)

    async def relay_until_stopped():
        await db.start(size=2)  # the relay's and the scheduler's loop: a small pool of its own
        done = asyncio.Event()
        task = asyncio.create_task(relay_forever(interval=0.5, stop=done))
        scheduler = asyncio.create_task(schedule_forever(stop=done, jobs=jobs))
        while not stop.is_set():
            await asyncio.sleep(0.2)
        done.set()
        await task
        await scheduler
        await db.stop()

    log.info("worker started with %s threads", threads)
    try:
        asyncio.run(relay_until_stopped())
    finally:
        # Finishes the messages in hand; unacknowledged ones return to the broker.
        worker.stop()
        log.info("worker stopped")
