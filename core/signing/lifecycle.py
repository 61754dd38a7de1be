"""What the signing module does when an app process starts.

- On a demo site, the CA is created on first start, with its root
  passphrase written to ``var/ca_root_passphrase`` (mode 0600) — and the
  console says so.  Real sites run ``tongban ca init``.
- In the embedded default (``tongban serve`` without a broker) a small loop
  makes the day's signed audit checkpoint.  Production runs
  ``tongban audit checkpoint`` daily from cron or a systemd timer instead;
  making a checkpoint twice in a day is harmless either way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys

from core.settings import get_settings

log = logging.getLogger("tongban.signing")

CHECK_EVERY = 3600.0  # seconds between "is today's checkpoint made?" checks


async def on_startup(app) -> None:
    from core.signing.authority import ensure_demo_ca, is_initialised

    settings = get_settings()
    created = await ensure_demo_ca(settings)
    if created:
        print(
            "  Demo certificate authority created; its root passphrase is in "
            f"{created} (demo only: a real site keeps it off the server).",
            file=sys.stderr,
        )
    elif not await is_initialised():
        log.warning("no certificate authority yet: documents cannot be signed (tongban ca init)")
    if os.environ.get("TONGBAN_EMBEDDED_JOBS") == "1":
        stop = asyncio.Event()
        task = asyncio.create_task(checkpoint_loop(stop))

        async def stop_loop() -> None:
            stop.set()
            await task

        app.on_shutdown.append(stop_loop)


async def checkpoint_loop(stop: asyncio.Event, interval: float = CHECK_EVERY) -> None:
    """Make today's checkpoint if it is missing; check again every ``interval`` seconds."""
    from core.signing.audit import checkpoint_due, make_checkpoint
    from core.signing.authority import is_initialised

    while not stop.is_set():
        try:
            if await is_initialised() and await checkpoint_due():
                made = await make_checkpoint()
                log.info("audit checkpoint #%s made", made["seq"])
        except Exception:  # a concurrent maker or a busy database: try again later
            log.exception("audit checkpoint failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
