"""Periodic jobs (the deadline sweep every minute) through the same outbox as everything else.

Every worker process runs :func:`schedule_forever`; each tick claims the
current slot of each periodic job with a row in the idempotency ledger
(``periodic:<actor>:<slot>``) and writes the outbox message in the same
transaction. However many workers tick, each slot is queued once; a worker
that dies before committing leaves the slot for the next tick, anyone's.

The jobs come from the plugins (``tongban_periodic_jobs``): the deadline sweep
from ``core.deadlines``, the reports' tick from ``core.reports``, and any
plugin's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from core.db import transaction
from core.jobs import outbox
from core.jobs.tables import ProcessedMessage
from core.plugins import PluginError, collect, get_plugin_manager

log = logging.getLogger("tongban.scheduler")

KEEP_SLOTS = timedelta(days=1)
HOOK = "tongban_periodic_jobs"


def periodic_jobs(pm=None, actors: Collection[str] | None = None) -> dict[str, int]:
    """Actor name -> period in seconds, as the plugins declare them (``tongban_periodic_jobs``).

    Raises :class:`~core.plugins.PluginError` naming the plugin for an entry
    that is not ``(actor name, positive whole seconds)``, for an actor
    declared twice with different periods, and — given ``actors``, the names
    this process runs — for an actor not among them: a misspelt name would
    otherwise queue a message every slot that no worker takes.
    """
    jobs: dict[str, int] = {}
    owner: dict[str, str] = {}
    for plugin, entry in collect(pm or get_plugin_manager(), HOOK):
        if isinstance(entry, dict):
            entry = (entry.get("actor"), entry.get("every"))
        if not isinstance(entry, tuple | list) or len(entry) != 2:
            raise PluginError(plugin, f"{HOOK}: {entry!r} is not (actor name, seconds)")
        actor, every = entry
        if not isinstance(actor, str) or not actor.strip():
            raise PluginError(plugin, f"{HOOK}: {actor!r} is not an actor name")
        if isinstance(every, bool) or not isinstance(every, int) or every <= 0:
            raise PluginError(
                plugin,
                f"{HOOK}: the period of {actor!r} must be a positive whole number of seconds",
            )
        if actors is not None and actor not in actors:
            raise PluginError(
                plugin, f"{HOOK}: no actor {actor!r} is declared (declare it with tongban_actors)"
            )
        if actor in jobs and jobs[actor] != every:
            raise PluginError(
                plugin,
                f"{HOOK}: {actor!r} every {every} s here, every {jobs[actor]} s "
                f"in plugin {owner[actor]!r}",
            )
        jobs[actor], owner[actor] = every, plugin
    return jobs


async def tick(now: datetime | None = None, jobs: dict[str, int] | None = None) -> list[str]:
    """Queue every periodic job whose current slot nobody has queued yet.

    ``jobs``: actor name -> seconds; the plugins' declarations by default.
    """
    now = now or datetime.now(UTC)
    queued = []
    for actor, every in (periodic_jobs() if jobs is None else jobs).items():
        slot = int(now.timestamp()) // every
        async with transaction():
            claimed = (
                await ProcessedMessage.insert(
                    ProcessedMessage(key=f"periodic:{actor}:{slot}", processed_at=now)
                )
                .on_conflict(target=ProcessedMessage.key, action="DO NOTHING")
                .returning(ProcessedMessage.id)
            )
            if claimed:
                await outbox.enqueue(actor, slot=slot)
                queued.append(actor)
        if claimed and slot % 60 == 0:
            await _prune(now)
    return queued


async def _prune(now: datetime) -> None:
    """Slots older than a day are never claimed again; drop their ledger rows."""
    await ProcessedMessage.delete().where(
        ProcessedMessage.key.like("periodic:%") & (ProcessedMessage.processed_at < now - KEEP_SLOTS)
    )


async def schedule_forever(
    interval: float = 5.0, stop: asyncio.Event | None = None, jobs: dict[str, int] | None = None
) -> None:
    """Tick every ``interval`` seconds until ``stop``; ``jobs`` as :func:`periodic_jobs` gives."""
    stop = stop or asyncio.Event()
    jobs = periodic_jobs() if jobs is None else jobs
    while not stop.is_set():
        try:
            await tick(jobs=jobs)
        except Exception:
            log.exception("scheduler tick failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
