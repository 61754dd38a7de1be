"""The desk queue of a busy window: a task under a red light is shown first even when
hundreds of older tasks wait at the same window."""

from __future__ import annotations

from core.cases.queries import queue
from core.cases.tables import Case, Task
from core.tenancy.accounts import create_staff
from tests.tenancy.support import bare_case, principal, scratch_township


async def test_a_red_task_behind_a_long_queue_comes_first(catalogue):
    place = await scratch_township(villages=1)
    await create_staff("busyclerk", "忙碌窗口", "Busy-window-2026", place["centre"], "window_clerk")
    older = [await bare_case(place["village1"], tasks_at=(place["centre"],)) for _ in range(10)]
    late = await bare_case(place["village1"], tasks_at=(place["centre"],))
    await Case.update({Case.light: "red"}).where(Case.id == late)
    clerk = await principal("busyclerk")

    shown = await queue(clerk, limit=3)
    assert [row["case.id"] for row in shown][0] == late
    assert [row["case.id"] for row in shown][1:] == older[:2]  # then first come, first served
    assert shown[0]["effective_light"] == "red"

    await Task.update({Task.state: "done"}).where(Task.case == late)
    assert [row["case.id"] for row in await queue(clerk, limit=3)] == older[:3]
