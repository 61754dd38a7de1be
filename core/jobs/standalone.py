"""``tongban worker``: a Dramatiq worker plus the outbox relay and the periodic
scheduler (the deadline sweep every minute), for production."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

import dramatiq
from dramatiq import Worker

from core import db
from core.jobs import actors  # noqa: F401 - declares the actors
from core.jobs.broker import broker
from core.jobs.relay import relay_forever
from core.jobs.scheduler import periodic_jobs, schedule_forever
from core.settings import Settings, get_settings

log = logging.getLogger("tongban.worker")


def make_worker(on: dramatiq.Broker, threads: int, settings: Settings) -> Worker:
    """The Dramatiq worker of ``tongban worker``, with the site's prefetch.

    Dramatiq takes 1,000 delayed messages per thread from the delay queue (4,000 with
    ``--threads 4``) and keeps them in memory until their time comes. Retries are such
    messages: during an SMS gateway outage every notification waits there (for up to
    ten minutes between tries, see ``core.jobs.actors.PATIENT``), so one worker would take
    them all, and while it holds them no other worker can; killed, it gives them back only
    after the broker's heartbeat timeout. A held message costs no thread (when its time
    comes it is put back on the job queue, for any worker), so the count need not grow
    with ``--threads``: 100 per process (``TONGBAN_WORKER_DELAY_PREFETCH``) is enough. The
    delay queue is first-in first-out and retries wait about the same ten minutes once
    they reach the cap, so the ones held are about the next ones due; the rest stay in
    the broker for the other workers, and a message behind them waits at most until the
    first held one is due. The job queue keeps Dramatiq's 2 per thread unless
    ``TONGBAN_WORKER_PREFETCH`` says otherwise: a long job (a deadline recompute, a
    report) should not keep many queued messages from idle workers.
    """
    worker = Worker(on, worker_threads=threads)
    # Dramatiq reads its own prefetch only from dramatiq_* environment variables, at
    # import; its consumers take these attributes when the worker starts.
    if settings.worker_prefetch is not None:
        worker.queue_prefetch = settings.worker_prefetch
    worker.delay_prefetch = settings.worker_delay_prefetch
    return worker


def run_worker(threads: int) -> None:
    logging.basicConfig(level=logging.INFO)
    # A plugin's bad declaration stops the worker, naming the plugin.
    jobs = periodic_jobs(actors=broker.actors)
    worker = make_worker(broker, threads, get_settings())
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
        log.info(
            "worker started with %s threads, prefetch %s, delay prefetch %s",
            threads,
            worker.queue_prefetch,
            worker.delay_prefetch,
        )
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
