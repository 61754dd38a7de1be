"""The embedded default's jobs: a Dramatiq worker thread, the outbox relay and the
periodic scheduler (the deadline sweep), in-process."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from dramatiq import Worker

from core.jobs import actors  # noqa: F401 - declares the actors on the broker
from core.jobs.broker import broker, empty_in_memory
from core.jobs.relay import mark_settled, relay_forever
from core.jobs.scheduler import periodic_jobs, schedule_forever


@dataclass
class EmbeddedJobs:
    worker: Worker
    relay: asyncio.Task
    stop_event: asyncio.Event
    scheduler: asyncio.Task | None = None

    async def stop(self) -> None:
        self.stop_event.set()
        await self.relay
        if self.scheduler is not None:
            await self.scheduler
        await asyncio.to_thread(self.worker.stop)
        await mark_settled()
        # What the in-memory broker still holds dies with the process; its rows are
        # unsent, so the next start relays them again.
        empty_in_memory()


def start_embedded_jobs() -> EmbeddedJobs:
    # A plugin's bad declaration stops start-up, naming the plugin.
    jobs = periodic_jobs(actors=broker.actors)
    worker = Worker(broker, worker_threads=2)
    worker.start()
    stop_event = asyncio.Event()
    relay = asyncio.create_task(relay_forever(interval=0.5, stop=stop_event))
    scheduler = asyncio.create_task(schedule_forever(stop=stop_event, jobs=jobs))
    return EmbeddedJobs(worker=worker, relay=relay, stop_event=stop_event, scheduler=scheduler)
