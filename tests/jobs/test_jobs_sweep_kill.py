"""Killing the worker in the middle of a sweep loses no escalation and sends none twice."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from core.cases.sweep import run_sweep
from core.cases.tables import CaseEvent, Escalation, Notification
from tests.cases.access_helpers import supervisors_of_district
from tests.cases.world import SIMPLE, local
from tests.helpers import drain

ROOT = Path(__file__).resolve().parents[2]


async def run_victim(die_after: int, case_ids: list[int]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.jobs.sweep_victim",
        str(die_after),
        *map(str, case_ids),
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    return process.returncode, output.decode(errors="replace")


async def counts(case_ids: list[int], kind: str) -> dict[int, int]:
    rows = await CaseEvent.select(CaseEvent.case).where(
        CaseEvent.case.is_in(case_ids) & (CaseEvent.kind == kind)
    )
    found = {cid: 0 for cid in case_ids}
    for row in rows:
        found[row["case"]] += 1
    return found


async def test_a_sweep_killed_mid_way_and_restarted_escalates_each_case_once(world, clock, jobs):
    # Five cases accepted on Mon 2 Nov 2026, long overdue by now (case and review step).
    clock.set(local(2026, 11, 2, 9))
    case_ids = []
    for _ in range(5):
        case = await world.file(SIMPLE)
        await world.act("t_clerk", case["id"], "accept")
        case_ids.append(case["id"])

    # The worker dies (kill -9) while writing the third case's escalation.
    code, output = await run_victim(3, case_ids)
    assert code == -signal.SIGKILL, output
    escalated = await counts(case_ids, "escalate")
    assert sorted(escalated.values()) == [0, 0, 0, 1, 1]  # two committed, the third rolled back
    assert await Escalation.count().where(Escalation.case.is_in(case_ids)) == 2

    # The worker starts again and sweeps: everything left is done, nothing twice.
    code, output = await run_victim(0, case_ids)
    assert code == 0, output
    assert await counts(case_ids, "escalate") == {cid: 2 for cid in case_ids}  # case + step
    assert await counts(case_ids, "light") == {cid: 1 for cid in case_ids}  # straight to red
    assert await counts(case_ids, "step_light") == {cid: 1 for cid in case_ids}
    rows = await Escalation.select(Escalation.case, Escalation.cause).where(
        Escalation.case.is_in(case_ids)
    )
    assert sorted((r["case"], r["cause"]) for r in rows) == sorted(
        (cid, cause) for cid in case_ids for cause in ("case_overdue", "step_overdue")
    )

    # Every escalation reaches each supervisor exactly once, however often it is announced.
    await drain(jobs)
    await drain(jobs)
    supervisors = await supervisors_of_district()
    notes = await Notification.select(Notification.case, Notification.staff).where(
        Notification.case.is_in(case_ids) & (Notification.audience == "supervisor")
    )
    assert len(notes) == len(case_ids) * 2 * len(supervisors)
    assert len({(n["case"], n["staff"]) for n in notes}) * 2 == len(notes)

    # A third sweep (another worker, a redelivered message) finds nothing to do.
    report = await run_sweep()
    assert report.escalations == 0
