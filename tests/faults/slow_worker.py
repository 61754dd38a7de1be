"""``tongban worker`` plus one plugin whose case-event effect is slow and observable.

Run as ``python -m tests.faults.slow_worker [worker options]`` with
``FAULT_MARKS`` (a file: one line per start of the effect) and ``FAULT_SLEEP``
(seconds the effect takes). The effect is a row in ``fault_effects`` written
in the job's transaction — like every real effect — followed by the slow part;
a ``kill -9`` during the sleep must leave no row, and the redelivered message
must leave exactly one.
"""

from __future__ import annotations

import asyncio
import os
import sys

from core import hookimpl


@hookimpl
def tongban_case_event(case, event):
    return _effect(case["id"], event["seq"])


async def _effect(case_id: int, seq: int) -> None:
    from core.cases.tables import Case

    with open(os.environ["FAULT_MARKS"], "a") as marks:
        marks.write(f"start {case_id} {seq} {os.getpid()}\n")
    await Case.raw(
        "INSERT INTO fault_effects (case_id, seq, pid) VALUES ({}, {}, {})",
        case_id,
        seq,
        os.getpid(),
    )
    await asyncio.sleep(float(os.environ.get("FAULT_SLEEP", "0")))


if __name__ == "__main__":
    from core.cli import main
    from core.plugins import get_plugin_manager

    get_plugin_manager().register(sys.modules[__name__], name="fault_slow_effect")
    sys.argv = ["tongban", "worker", *sys.argv[1:]]
    main()
