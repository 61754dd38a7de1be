"""Notifications: the applicant and the filing agent are told at acceptance, supplement,
decision and issue; supervisors when work escalates; each message exactly once."""

from __future__ import annotations

import asyncio

import pytest

from core import hookimpl
from core.cases.notifications import deliver
from core.cases.sweep import run_sweep
from core.cases.tables import CaseEvent, Notification, Task
from core.jobs.actors import case_event
from core.jobs.tables import OutboxMessage
from core.plugins import get_plugin_manager
from core.tenancy.tables import Unit
from tests.cases.world import SIMPLE, local
from tests.helpers import drain


class SmsPlugin:
    """A notification channel as an SMS provider's plugin would add it."""

    def __init__(self) -> None:
        self.sent = []

    @hookimpl
    def tongban_notification_channels(self):
        return [self]

    name = "test_sms"

    async def send(self, message):
        self.sent.append(message)


@pytest.fixture
def sms():
    plugin = SmsPlugin()
    get_plugin_manager().register(plugin, name="test_sms")
    yield plugin
    get_plugin_manager().unregister(name="test_sms")


async def notes(case_id: int) -> list[tuple[int, str, str]]:
    rows = (
        await Notification.select(
            Notification.event_seq,
            Notification.audience,
            Notification.subject,
            Notification.sent_at,
        )
        .where(Notification.case == case_id)
        .order_by(Notification.id)
    )
    return rows


async def test_applicant_and_agent_are_told_at_each_milestone(world, clock, jobs, sms):
    clock.set(local(2026, 11, 2, 9))
    person = world.next_applicant()
    case = await world.file(SIMPLE, applicant=person)
    cid = case["id"]
    await world.act("t_clerk", cid, "accept")
    await world.act("t_rev_a", cid, "request_supplement", materials=["photo"])
    await world.act("t_agent", cid, "supply")
    await world.act("t_rev_a", cid, "pass")
    await world.act("t_app_a", cid, "approve")
    await world.act("t_app_a", cid, "issue")
    await drain(jobs)
    await drain(jobs)  # deliveries are queued by the first round
    rows = await notes(cid)
    subjects = [(r["audience"], r["subject"].split(" · ")[0]) for r in rows]
    expected = []
    for subject in ("申请已受理", "需补正材料", "申请已批准", "结果已出"):
        expected += [("applicant", subject), ("agent", subject)]
    assert subjects == expected
    assert all(r["sent_at"] is not None for r in rows)
    # The SMS channel got the applicant's messages with their phone number, nothing else.
    to_applicant = [m for m in sms.sent if m.case_id == cid and m.audience == "applicant"]
    assert len(to_applicant) == 4
    assert {m.phone for m in to_applicant} == {person["phone"]}
    assert all(m.tracking_code == case["tracking_code"] for m in to_applicant)
    supplement = next(m for m in to_applicant if "照片" in m.body)
    assert "补正期间不计入办理时限" in supplement.body


async def test_a_refusal_and_a_denial_are_told_with_their_reason(world, jobs):
    refused = await world.file(SIMPLE)
    await world.act("t_clerk", refused["id"], "refuse", reason="不属本中心受理")
    denied = await world.file(SIMPLE)
    await world.act("t_clerk", denied["id"], "accept")
    await world.act("t_rev_a", denied["id"], "deny", reason="年龄不符")
    await drain(jobs)
    bodies = {
        r["case"]: r["body"]
        for r in await Notification.select(Notification.case, Notification.body).where(
            Notification.case.is_in([refused["id"], denied["id"]])
            & (Notification.audience == "applicant")
        )
    }
    assert "不予受理：不属本中心受理" in bodies[refused["id"]]
    assert "未获批准：年龄不符" in bodies[denied["id"]]


async def test_a_redelivered_event_sends_nothing_twice(world, jobs):
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    await drain(jobs)
    await drain(jobs)
    before = await notes(case["id"])
    # The broker hands the same messages over again (a worker died before acknowledging).
    messages = (
        await OutboxMessage.select()
        .where(OutboxMessage.actor == "case_event")
        .output(load_json=True)
    )
    for message in messages:
        if message["payload"]["case_id"] == case["id"]:
            # Run in the worker's event loop, as the worker would.
            await asyncio.to_thread(case_event.fn, outbox_id=message["id"], **message["payload"])
    for row in await Notification.select(Notification.id).where(Notification.case == case["id"]):
        await deliver(row["id"])
    assert await notes(case["id"]) == before


async def test_supervisors_are_told_when_work_escalates_to_them(world, clock, jobs):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    await run_sweep(local(2026, 11, 5, 8))  # the review step is overdue
    await drain(jobs)
    rows = await Notification.select(Notification.staff, Notification.body).where(
        (Notification.case == case["id"]) & (Notification.audience == "supervisor")
    )
    assert world.staff["t_sup"] in {r["staff"] for r in rows}
    assert all(case["tracking_code"] in r["body"] for r in rows)


async def test_the_escalation_message_names_the_late_unit_in_each_language(world, clock, jobs):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "accept")
    task = (
        await Task.select(Task.unit.code, Task.unit.name_en)
        .where((Task.case == case["id"]) & (Task.state == "open"))
        .first()
    )
    late_code, kept_en = task["unit.code"], task["unit.name_en"]
    await Unit.update({Unit.name_en: "Test Office A"}).where(Unit.code == late_code)
    try:
        await run_sweep(local(2026, 11, 5, 8))  # the review step is overdue
        await drain(jobs)
    finally:
        await Unit.update({Unit.name_en: kept_en}).where(Unit.code == late_code)
    row = (
        await Notification.select(Notification.texts, Notification.event_seq)
        .where((Notification.case == case["id"]) & (Notification.audience == "supervisor"))
        .output(load_json=True)
        .first()
    )
    event = (
        await CaseEvent.select(CaseEvent.payload)
        .where((CaseEvent.case == case["id"]) & (CaseEvent.seq == row["event_seq"]))
        .output(load_json=True)
        .first()
    )
    assert [e["unit"] for e in event["payload"]["escalations"]] == [late_code]
    late = await Unit.select(Unit.name).where(Unit.code == late_code).first()
    # Named in the reader's language, not given by its code.
    assert "is overdue at Test Office A and" in row["texts"]["en"]["body"]
    assert f"在{late['name']}已超期" in row["texts"]["zh_CN"]["body"]
    assert late_code not in row["texts"]["en"]["body"] + row["texts"]["zh_CN"]["body"]
