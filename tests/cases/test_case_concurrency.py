"""Tracking codes under concurrent submissions, and idempotent resubmission."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from core.cases.tables import Case, Task
from core.jobs.tables import OutboxMessage
from tests.cases.world import SIMPLE, TOWNSHIP_CENTRE, applicant


async def test_a_resubmission_with_the_same_key_yields_the_same_case(world):
    person = world.next_applicant()
    first = await world.file(SIMPLE, applicant=person, idempotency_key="double-click-1")
    again = await world.file(SIMPLE, applicant=person, idempotency_key="double-click-1")
    assert again == first
    assert await Case.count().where(Case.idempotency_key == "double-click-1") == 1


async def test_concurrent_resubmissions_with_one_key_yield_one_case(world):
    clerk = await world.who("t_clerk")
    unit_id = await world.unit_id(TOWNSHIP_CENTRE)
    person = applicant(90_001)
    from core.cases import services

    results = await asyncio.gather(
        *(
            services.submit(
                clerk,
                unit_id=unit_id,
                item_code=SIMPLE,
                applicant=person,
                data={"purpose": "重复提交"},
                idempotency_key="retry-storm-1",
            )
            for _ in range(5)
        )
    )
    assert len({r["id"] for r in results}) == 1
    assert await Case.count().where(Case.idempotency_key == "retry-storm-1") == 1


@pytest.mark.postgres
async def test_a_thousand_concurrent_submissions_get_a_thousand_distinct_codes(world):
    """Real concurrency: 20 connections at a time, each submission its own transaction."""
    from core.cases import services

    newest = (
        await OutboxMessage.select(OutboxMessage.id)
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )
    first_message = newest["id"] if newest else 0
    last_case = await Case.select(Case.id).order_by(Case.id, ascending=False).first()
    # 20 submissions in flight at once, each on its own connection. No shared pool:
    # the session's job worker runs on another event loop and must not borrow from it.
    # (20, not more: the browser tests' server and worker keep their own pools open,
    # and PostgreSQL allows 100 connections in all.)
    gate = asyncio.Semaphore(20)
    clerk = await world.who("t_clerk")
    unit_id = await world.unit_id(TOWNSHIP_CENTRE)

    async def submit_one(n: int) -> dict:
        async with gate:
            return await services.submit(
                clerk,
                unit_id=unit_id,
                item_code=SIMPLE,
                applicant=applicant(100_000 + n),
                data={"purpose": "并发"},
            )

    try:
        results = await asyncio.gather(*(submit_one(n) for n in range(1000)))
        codes = [r["tracking_code"] for r in results]
        assert len(set(codes)) == 1000
        assert len({r["id"] for r in results}) == 1000
        stored = await Case.select(Case.tracking_code).where(
            Case.id.is_in([r["id"] for r in results])
        )
        assert sorted(r["tracking_code"] for r in stored) == sorted(codes)
    finally:
        # These cases exist only to count codes: their "filed" announcements count as
        # relayed and their tasks as cancelled — also when the test fails half-way — so
        # that later tests' queues, workers and sweeps do not meet them.
        await OutboxMessage.update({OutboxMessage.sent_at: datetime.now(UTC)}).where(
            (OutboxMessage.id > first_message) & OutboxMessage.sent_at.is_null()
        )
        made = Case.select(Case.id).where(Case.id > (last_case["id"] if last_case else 0))
        await Task.update({Task.light_changes_at: None, Task.state: "cancelled"}).where(
            Task.case.is_in(made) & (Task.unit == unit_id)
        )
