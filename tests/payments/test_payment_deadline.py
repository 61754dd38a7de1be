"""A result held for its fees has a payment deadline (缴款期限): shown, reminded, then enforced.

The tax office's invoice item (代开发票, 10.50 yuan of taxes on 1010.00) is
approved on the spot and its result waits for the payment. The applicant
sees the last day to pay beside the amount and the payment code; a few days
before, the applicant and the agent are reminded, once; after it, the case
ends (deemed withdrawn), they are told, once, and the bank can no longer
take the money. The deadline job (:func:`core.payments.lapse.run`) is called
here with an explicit "now", as the worker's hourly tick would.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.cases import timing
from core.cases.events import verify_chain
from core.cases.tables import Case, CaseEvent, Notification
from core.jobs import scheduler
from core.jobs.scheduler import periodic_jobs
from core.jobs.tables import OutboxMessage
from core.payments import lapse
from core.payments.tables import Assessment, Payment
from core.payments.terms import SiteOptionInvalid, payment_terms
from core.settings import get_settings
from tests.helpers import drain, site_today
from tests.plugins.support import applicant, case_of, event_kinds, file_case, id_number, run, uscc

INVOICE = "000125002000"
SHANGHAI = ZoneInfo("Asia/Shanghai")
_serial = itertools.count(1)


def on(day: date, hour: int = 10) -> datetime:
    """A moment of ``day``, site time: the "now" the deadline job is run with."""
    return datetime.combine(day, time(hour), tzinfo=SHANGHAI)


def chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def invoice_form(buyer_body: str) -> dict:
    """An invoice of 1,010 yuan for a school (10.50 yuan of taxes): ``buyer_body`` makes
    the buyer's credit code unique."""
    return {
        "buyer_name": "綦江区赶水镇中心小学",
        "buyer_tax_id": uscc("12", body=buyer_body),
        "business_type": "services",
        "description": "课桌椅维修",
        "occurred_on": site_today().isoformat(),
        "location_class": "county_town",
        "amount": "1010.00",
    }


async def held_case(staff) -> dict:
    """A case approved with 10.50 yuan of taxes due: its result waits for the payment."""
    n = next(_serial)
    agent = await staff("agent")
    phone = f"1390066{n:04d}"
    person = applicant(
        "缴款" + "甲乙丙丁戊己庚辛壬癸"[n % 10], id_number(date(1968, 3, n), 700 + n)
    )
    person["phone"] = phone
    case = await file_case(agent, INVOICE, person, invoice_form(f"4569{n:04d}"))
    done = await run(staff, case["id"], [("taxclerk", "accept"), ("taxofficer", "approve")])
    assert done["state"] == "approved" and event_kinds(done)[-1] == "issue_held"
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    return {**case, "payment_code": fees["payment_code"], "last4": phone[-4:]}


async def pay(staff, code: str, reference: str):
    return await (await staff("teller")).api(
        "POST",
        f"/api/v1/payments/{code}",
        {"channel": "bank_counter", "reference": reference, "amount": "10.50"},
    )


async def kinds(case_id: int) -> list[str]:
    rows = (
        await CaseEvent.select(CaseEvent.kind)
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.seq)
    )
    return [r["kind"] for r in rows]


async def state_of(case_id: int) -> str:
    return (await Case.select(Case.state).where(Case.id == case_id).first())["state"]


async def messages(case_id: int, kind: str) -> list[dict]:
    """The notifications written for the case's ``kind`` events."""
    seqs = [
        r["seq"]
        for r in await CaseEvent.select(CaseEvent.seq).where(
            (CaseEvent.case == case_id) & (CaseEvent.kind == kind)
        )
    ]
    if not seqs:
        return []
    return await Notification.select().where(
        (Notification.case == case_id) & Notification.event_seq.is_in(seqs)
    )


async def announced(case_id: int) -> int:
    """How many case events of ``case_id`` the outbox has been given to announce."""
    rows = (
        await OutboxMessage.select(OutboxMessage.payload)
        .where(OutboxMessage.actor == "case_event")
        .output(load_json=True)
    )
    return sum(1 for r in rows if r["payload"].get("case_id") == case_id)


# -- the deadline, where the amount and the code are shown -------------------------------


async def test_the_pay_by_date_is_shown_wherever_the_amount_and_code_are(staff, jobs):
    case = await held_case(staff)
    pay_by = site_today() + timedelta(days=15)  # the default: 15 natural days
    code = case["payment_code"]

    # The applicant's status page and its API.
    agent = await staff("agent")
    shown = (
        await agent.api("GET", f"/api/v1/status/{case['tracking_code']}?last4={case['last4']}")
    ).json()
    assert shown["awaiting"] == "payment" and shown["payment_code"] == code
    assert shown["pay_by"] == pay_by.isoformat()
    page = await agent.get(
        "/status/", params={"code": case["tracking_code"], "last4": case["last4"]}
    )
    assert page.status_code == 200
    assert "缴款期限" in page.text and chinese(pay_by) in page.text and code in page.text

    # Staff: the case page's next step, the fee card and the fee notice (缴款通知书).
    officer = await staff("taxofficer")
    detail = await officer.get(f"/cases/{case['id']}")
    assert f"缴款期限：{chinese(pay_by)}。逾期未缴纳的，视为撤回申请。" in detail.text
    panel = await officer.get(f"/payments/case/{case['id']}/panel")
    assert 'id="pay-by"' in panel.text and chinese(pay_by) in panel.text
    notice = await officer.get(f"/payments/case/{case['id']}")
    assert chinese(pay_by) in notice.text and code in notice.text
    fees = (await officer.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert fees["status"] == "due" and fees["pay_by"] == pay_by.isoformat()

    # The bank's teller sees it when looking the code up.
    teller = await staff("teller")
    desk = await teller.get("/payments/", params={"code": code})
    assert chinese(pay_by) in desk.text and "缴款期限" in desk.text

    # The payment notice sent at the approval names the deadline too.
    await drain(jobs)
    asked = [n for n in await messages(case["id"], "issue_held") if n["audience"] == "applicant"]
    assert len(asked) == 1
    assert chinese(pay_by) in asked[0]["body"] and code in asked[0]["body"]
    assert "视为撤回申请" in asked[0]["body"]


# -- the reminder, then the lapse ---------------------------------------------------------


async def test_reminded_once_then_the_case_lapses_once_and_can_no_longer_be_paid(staff, jobs):
    case = await held_case(staff)
    cid, code = case["id"], case["payment_code"]
    pay_by = site_today() + timedelta(days=15)

    # Four days before: too early for the reminder (3 days before, by default).
    await lapse.run(on(pay_by - timedelta(days=4)))
    assert "payment_reminder" not in await kinds(cid)

    # Three days before: reminded; the job running again, and twice at once, reminds no more.
    await lapse.run(on(pay_by - timedelta(days=3)))
    await lapse.run(on(pay_by - timedelta(days=3), 11))
    await asyncio.gather(
        lapse.run(on(pay_by - timedelta(days=2))), lapse.run(on(pay_by - timedelta(days=2)))
    )
    assert (await kinds(cid)).count("payment_reminder") == 1
    assert await state_of(cid) == "approved"
    await drain(jobs)
    reminders = await messages(cid, "payment_reminder")
    assert sorted(n["audience"] for n in reminders) == ["agent", "applicant"]
    body = reminders[0]["body"]
    assert chinese(pay_by) in body and code in body and "10.50" in body
    assert reminders[0]["subject"].startswith("缴款期限将至")
    officer = await staff("taxofficer")
    assert "已提醒按期缴费" in (await officer.get(f"/cases/{cid}")).text

    # The last day itself is still a day to pay: nothing ends.
    await lapse.run(on(pay_by, 23))
    assert await state_of(cid) == "approved"

    # The day after: the case ends, deemed withdrawn, with its event; twice at once, once.
    after = pay_by + timedelta(days=1)
    await asyncio.gather(lapse.run(on(after, 0)), lapse.run(on(after, 0)))
    await lapse.run(on(after, 1))
    assert await state_of(cid) == "withdrawn"
    events = await CaseEvent.select().where((CaseEvent.case == cid) & (CaseEvent.kind == "lapse"))
    assert len(events) == 1
    assert (events[0]["from_state"], events[0]["to_state"]) == ("approved", "withdrawn")
    assert (await kinds(cid)).count("payment_reminder") == 1
    assessment = await Assessment.select().where(Assessment.case == cid).first()
    assert assessment["status"] == "lapsed"
    assert await verify_chain(cid) is None  # the system's events keep the chain intact

    # Told once: the applicant and the agent.
    await drain(jobs)
    await lapse.run(on(after, 2))
    await drain(jobs)
    told = await messages(cid, "lapse")
    assert sorted(n["audience"] for n in told) == ["agent", "applicant"]
    assert chinese(pay_by) in told[0]["body"] and "视为撤回" in told[0]["body"]
    assert told[0]["subject"].startswith("逾期未缴费，申请已终止")

    # What people see: the applicant's status page, the staff's case page and fee card.
    agent = await staff("agent")
    page = await agent.get(
        "/status/", params={"code": case["tracking_code"], "last4": case["last4"]}
    )
    assert "逾期未缴费，视为撤回申请" in page.text and "已撤回" in page.text
    assert "请于银行柜台缴纳" not in page.text
    detail = await officer.get(f"/cases/{cid}")
    assert "逾期未缴费，视为撤回申请" in detail.text and 'id="awaiting"' not in detail.text
    panel = await officer.get(f"/payments/case/{cid}/panel")
    assert "逾期未缴" in panel.text

    # The bank can no longer take the money: a clear answer, nothing recorded.
    late = await pay(staff, code, "GS20261207000901")
    assert late.status_code == 409
    assert "缴款期限" in late.json()["detail"] and pay_by.isoformat() in late.json()["detail"]
    teller = await staff("teller")
    desk = await teller.post_form(
        f"/payments/{code}",
        {"channel": "bank_counter", "reference": "GS20261207000902", "amount": "10.50"},
    )
    assert desk.status_code == 422 and "缴款期限" in desk.text and "不能再缴纳" in desk.text
    assert "逾期未缴" in desk.text and 'name="amount"' not in desk.text
    assert not await Payment.exists().where(Payment.assessment == assessment["id"])
    assert await state_of(cid) == "withdrawn"
    assert (await Assessment.select().where(Assessment.case == cid).first())["status"] == "lapsed"


async def test_a_case_paid_before_the_deadline_never_lapses(staff, jobs):
    case = await held_case(staff)
    paid = await pay(staff, case["payment_code"], "GS20261207000911")
    assert paid.status_code == 201, paid.text
    assert await state_of(case["id"]) == "issued"
    pay_by = site_today() + timedelta(days=15)
    for day in (
        pay_by - timedelta(days=3),
        pay_by + timedelta(days=1),
        pay_by + timedelta(days=90),
    ):
        await lapse.run(on(day))
    assert await state_of(case["id"]) == "issued"
    assert not {"payment_reminder", "lapse"} & set(await kinds(case["id"]))
    shown = await case_of(await staff("agent"), case["id"])
    assert shown["state"] == "issued" and shown["awaiting"] is None


async def test_after_the_last_day_the_bank_is_refused_even_before_the_job_ran(staff, monkeypatch):
    case = await held_case(staff)
    pay_by = site_today() + timedelta(days=15)
    # The bank's clock reads the morning after the last day; the job has not run yet.
    monkeypatch.setattr(timing, "utcnow", lambda: on(pay_by + timedelta(days=1), 8))
    teller = await staff("teller")
    looked = (await teller.api("GET", f"/api/v1/payments/{case['payment_code']}")).json()
    assert looked["status"] == "lapsed" and looked["pay_by"] == pay_by.isoformat()
    officer = await staff("taxofficer")
    panel = await officer.get(f"/payments/case/{case['id']}/panel")
    assert "逾期未缴" in panel.text and chinese(pay_by) in panel.text
    late = await pay(staff, case["payment_code"], "GS20261207000921")
    assert late.status_code == 409 and "缴款期限" in late.json()["detail"]
    assert await state_of(case["id"]) == "approved"
    assessment = await Assessment.select().where(Assessment.case == case["id"]).first()
    assert assessment["status"] == "due"
    assert not await Payment.exists().where(Payment.assessment == assessment["id"])
    # On the last day itself the same payment would have gone through.
    monkeypatch.setattr(timing, "utcnow", lambda: on(pay_by, 23))
    paid = await pay(staff, case["payment_code"], "GS20261207000922")
    assert paid.status_code == 201, paid.text
    assert await state_of(case["id"]) == "issued"


async def test_a_crash_mid_run_leaves_each_case_whole_and_a_rerun_finishes(staff, monkeypatch):
    first, second, third = [await held_case(staff) for _ in range(3)]
    after = site_today() + timedelta(days=16)
    real = lapse._item

    async def killed_at_second(case: dict):
        if case["id"] == second["id"]:
            raise asyncio.CancelledError()  # the worker is stopped in the middle of this case
        return await real(case)

    announced_before = await announced(second["id"])
    monkeypatch.setattr(lapse, "_item", killed_at_second)
    with pytest.raises(asyncio.CancelledError):
        await lapse.run(on(after))
    # The first case is done: event, assessment and announcement together …
    assert await state_of(first["id"]) == "withdrawn"
    assert (await kinds(first["id"])).count("lapse") == 1
    # … the second untouched: its assessment's claim rolled back with the rest; the third
    # not reached.
    for case in (second, third):
        assert await state_of(case["id"]) == "approved"
        assert "lapse" not in await kinds(case["id"])
        row = await Assessment.select().where(Assessment.case == case["id"]).first()
        assert row["status"] == "due"
    assert await announced(second["id"]) == announced_before  # nothing queued for it either

    monkeypatch.setattr(lapse, "_item", real)
    await lapse.run(on(after, 11))
    for case in (first, second, third):
        assert await state_of(case["id"]) == "withdrawn"
        assert (await kinds(case["id"])).count("lapse") == 1


async def test_a_case_that_fails_does_not_hold_up_the_others(staff, monkeypatch):
    broken, fine = await held_case(staff), await held_case(staff)
    after = site_today() + timedelta(days=16)
    real = lapse._item

    async def fails_for_broken(case: dict):
        if case["id"] == broken["id"]:
            raise RuntimeError("the item's plugin is not loaded")
        return await real(case)

    monkeypatch.setattr(lapse, "_item", fails_for_broken)
    report = await lapse.run(on(after))
    assert report.failed >= 1
    assert await state_of(fine["id"]) == "withdrawn"
    assert await state_of(broken["id"]) == "approved"
    row = await Assessment.select().where(Assessment.case == broken["id"]).first()
    assert row["status"] == "due"  # rolled back with the rest of its transaction
    monkeypatch.setattr(lapse, "_item", real)
    await lapse.run(on(after, 11))
    assert await state_of(broken["id"]) == "withdrawn"


async def test_the_workers_hourly_job_does_it(staff, jobs, monkeypatch):
    """Registered through tongban_periodic_jobs: the scheduler queues it, a worker runs it."""
    case = await held_case(staff)
    after = on(site_today() + timedelta(days=16), 3)
    declared = periodic_jobs()
    assert declared["payment_deadlines"] == 3600
    monkeypatch.setattr(timing, "utcnow", lambda: after)  # the worker's clock, that morning
    queued = await scheduler.tick(after, {"payment_deadlines": declared["payment_deadlines"]})
    assert queued == ["payment_deadlines"]
    await drain(jobs)  # the job: the case lapses, its event is announced …
    await drain(jobs)  # … and the announcement becomes the messages
    assert await state_of(case["id"]) == "withdrawn"
    assert sorted(n["audience"] for n in await messages(case["id"], "lapse")) == [
        "agent",
        "applicant",
    ]


# -- the site's options ----------------------------------------------------------------


async def test_the_site_sets_the_days_to_pay_and_the_reminder(staff, monkeypatch):
    monkeypatch.setitem(
        get_settings().site, "payments", {"pay_within_days": 5, "remind_days_before": 0}
    )
    case = await held_case(staff)
    pay_by = site_today() + timedelta(days=5)
    officer = await staff("taxofficer")
    assert chinese(pay_by) in (await officer.get(f"/cases/{case['id']}")).text
    await lapse.run(on(pay_by))  # no reminder with remind_days_before = 0
    assert "payment_reminder" not in await kinds(case["id"])
    await lapse.run(on(pay_by + timedelta(days=1)))
    assert await state_of(case["id"]) == "withdrawn"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"pay_within_days": 0}, "pay_within_days"),
        ({"pay_within_days": "15"}, "pay_within_days"),
        ({"pay_within_days": 3, "remind_days_before": 3}, "remind_days_before"),
        ({"remind_days_before": -1}, "remind_days_before"),
    ],
)
def test_a_bad_option_is_refused_naming_it(monkeypatch, options, named):
    monkeypatch.setitem(get_settings().site, "payments", options)
    with pytest.raises(SiteOptionInvalid, match=f"\\[payments\\] {named}"):
        payment_terms()


def test_the_defaults_are_fifteen_days_and_a_reminder_three_days_before(monkeypatch):
    monkeypatch.setitem(get_settings().site, "payments", {})
    terms = payment_terms()
    assert (terms.pay_within_days, terms.remind_days_before) == (15, 3)
    assert terms.deadline(date(2026, 12, 7)) == date(2026, 12, 22)
    assert terms.remind_on(date(2026, 12, 22)) == date(2026, 12, 19)
