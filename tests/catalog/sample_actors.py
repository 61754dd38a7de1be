"""The sample plugin's actor (declared when a worker imports this module)."""

from __future__ import annotations

import dramatiq

RUNS: list[int] = []


@dramatiq.actor(max_retries=0)
def sample_count(outbox_id: int, case_id: int) -> None:
    RUNS.append(case_id)
