"""A worker process running the deadline sweep, optionally killed with SIGKILL mid-way.

``python -m tests.jobs.sweep_victim DIE_AFTER CASE_ID…``: runs the same sweep
the ``sweep_deadlines`` actor runs; with ``DIE_AFTER`` > 0 the process kills
itself (``kill -9``, no clean-up of any kind) right after writing the
DIE_AFTER-th escalation of the given cases — inside that case's transaction,
before its commit.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys


async def main(die_after: int, case_ids: set[int]) -> None:
    from core import db
    from core.cases import sweep

    original = sweep.escalate
    seen = 0

    async def escalate_then_maybe_die(ctx, cause, tasks=None):
        nonlocal seen
        created = await original(ctx, cause, tasks)
        if ctx.case["id"] in case_ids and created:
            seen += 1
            if seen == die_after:
                os.kill(os.getpid(), signal.SIGKILL)
        return created

    sweep.escalate = escalate_then_maybe_die
    await db.start()
    try:
        report = await sweep.run_sweep()
    finally:
        await db.stop()
    print(report, flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), {int(a) for a in sys.argv[2:]}))
