"""Unified collection (统一收费): a fee assessed on a case, paid at a bank counter, receipted.

The temporary ID card's 10-yuan fee (a police fee) is the example: the agent
sees it before filing, the case gets a payment code, the bank's teller takes
the money, and the core — not the bank, not the police — issues the receipt.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from core.payments.tables import Assessment, Payment, Receipt
from tests.helpers import site_today
from tests.plugins.support import act, applicant, file_case, id_number

TEMPORARY_ID = "000112001000"
_references = itertools.count(1)


def reference() -> str:
    """A fresh bank transaction reference (each is unique at the bank)."""
    return f"ZH20261123{next(_references):06d}"


def form() -> dict:
    return {
        "pending_application": "lost",
        "application_receipt_no": "GA500110202611230017",
        "urgent_use": "travel",
        "needed_by": (site_today() + timedelta(days=3)).isoformat(),
    }


async def _filed(staff, serial: int) -> tuple[dict, dict]:
    agent = await staff("agent")
    person = applicant(
        "付" + "零一二三四五六"[serial],
        id_number(date(1970, 1, 1) + timedelta(days=serial), 500 + serial),
    )
    case = await file_case(agent, TEMPORARY_ID, person, form())
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    return case, fees


async def _pay(teller, code: str, *, amount="10.00", ref: str = "", channel="bank_counter"):
    return await teller.api(
        "POST",
        f"/api/v1/payments/{code}",
        {"channel": channel, "reference": ref or reference(), "amount": amount},
    )


async def test_the_fee_is_on_the_filing_page_before_submission(staff):
    agent = await staff("agent")
    page = await agent.get(f"/file/{TEMPORARY_ID}")
    assert page.status_code == 200
    assert 'hx-post="/fees/000112001000"' in page.text
    box = await agent.post_form(f"/fees/{TEMPORARY_ID}", form())
    assert box.status_code == 200
    assert "临时居民身份证工本费" in box.text and "¥10.00" in box.text
    assert "发改价格〔2003〕2322号" in box.text
    housing = await agent.post_form("/fees/000125003000", {"price": "100"})
    assert "请填写申请表后查看办理费用" in housing.text


async def test_paid_at_the_counter_receipted_by_the_core_funds_and_receipt_apart(staff):
    case, fees = await _filed(staff, 1)
    assert fees["status"] == "due" and fees["total"] == "10.00"
    code = fees["payment_code"]
    teller = await staff("teller")
    due = (await teller.api("GET", f"/api/v1/payments/{code}")).json()
    assert due["item_name"] == "临时居民身份证申领" and due["payer"] == "付*"
    assert [line["amount"] for line in due["lines"]] == ["10.00"]

    first_reference = reference()
    paid = await _pay(teller, code, ref=first_reference)
    assert paid.status_code == 201, paid.text
    receipt = paid.json()
    assert receipt["amount"] == "10.00" and receipt["account"] == "non_tax_revenue"
    assert len(receipt["number"]) == 18 and receipt["number"].startswith("509910")

    # The bank's record of the money and the core's receipt are separate rows.
    assessment = await Assessment.select().where(Assessment.payment_code == code).first()
    payment = await Payment.select().where(Payment.assessment == assessment["id"]).first()
    issued = (
        await Receipt.select()
        .where(Receipt.payment == payment["id"])
        .output(load_json=True)
        .first()
    )
    assert payment["reference"] == first_reference and payment["amount_fen"] == 1000
    assert issued["number"] == receipt["number"] and issued["lines"][0]["amount"] == "10.00"
    assert assessment["status"] == "paid"

    # A retried request with the same bank reference returns the same receipt …
    again = await _pay(teller, code, ref=first_reference)
    assert again.status_code == 201 and again.json()["number"] == receipt["number"]
    # … a second payment under another reference is refused, nothing recorded.
    twice = await _pay(teller, code)
    assert twice.status_code == 409 and "已缴纳" in twice.json()["message"]
    assert await Payment.count().where(Payment.assessment == assessment["id"]) == 1

    agent = await staff("agent")
    seen = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert seen["status"] == "paid" and seen["receipt"]["number"] == receipt["number"]
    notice = await agent.get(f"/payments/case/{case['id']}")
    assert receipt["number"] in notice.text and "已缴" in notice.text
    page = await agent.get(f"/cases/{case['id']}")
    assert f'hx-get="/payments/case/{case["id"]}/panel"' in page.text
    panel = await agent.get(f"/payments/case/{case['id']}/panel")
    assert code in panel.text and receipt["number"] in panel.text


async def test_a_case_without_fees_shows_no_fee_card(staff):
    agent = await staff("agent")
    person = applicant("免费人", id_number(date(1969, 9, 9), 590))
    form = {"purpose": "employment", "receiver": "某公司"}
    case = await file_case(agent, "000112005000", person, form)
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert fees == {
        "case_id": case["id"],
        "lines": [],
        "total": "0.00",
        "payment_code": None,
        "status": "none",
        "receipt": None,
        "pay_by": None,
    }
    panel = await agent.get(f"/payments/case/{case['id']}/panel")
    assert panel.status_code == 200 and "case-fees" not in panel.text
    stranger = await staff("clerk2")  # 大观镇: another township, may not see the case
    assert (await stranger.api("GET", f"/api/v1/cases/{case['id']}/fees")).status_code == 404


async def test_bad_payments_change_nothing_and_say_why(staff):
    case, fees = await _filed(staff, 2)
    code = fees["payment_code"]
    teller = await staff("teller")
    wrong_amount = await _pay(teller, code, amount="1.00")
    assert wrong_amount.status_code == 422 and "1.00" in wrong_amount.json()["message"]
    bad_reference = await _pay(teller, code, ref="手写的")
    assert bad_reference.status_code == 422 and "银行交易流水号" in bad_reference.json()["message"]
    unknown_channel = await _pay(teller, code, channel="wechat")
    assert unknown_channel.status_code == 403
    typo = code[:-1] + str((int(code[-1]) + 1) % 10)
    mistyped = await teller.api("GET", f"/api/v1/payments/{typo}")
    assert mistyped.status_code == 422 and "20位" in mistyped.json()["message"]
    assessment = await Assessment.select().where(Assessment.payment_code == code).first()
    assert assessment["status"] == "due"
    assert await Payment.count().where(Payment.assessment == assessment["id"]) == 0

    # Only a payment channel's staff may look codes up or take money.
    agent = await staff("agent")
    assert (await agent.api("GET", f"/api/v1/payments/{code}")).status_code == 403
    assert (await _pay(agent, code)).status_code == 403

    # A bank reference already used for another code is refused.
    _, other = await _filed(staff, 3)
    used = reference()
    assert (await _pay(teller, other["payment_code"], ref=used)).status_code == 201
    reused = await _pay(teller, code, ref=used)
    assert reused.status_code == 409


async def test_a_refused_case_owes_nothing(staff):
    case, fees = await _filed(staff, 4)
    await act(await staff("policeclerk"), case["id"], "refuse", reason="户籍不在本所辖区")
    teller = await staff("teller")
    due = (await teller.api("GET", f"/api/v1/payments/{fees['payment_code']}")).json()
    assert due["status"] == "cancelled"
    refused = await _pay(teller, fees["payment_code"])
    assert refused.status_code == 409 and "不再需要缴纳" in refused.json()["message"]
    # The case's own fee view says the same as the teller's: not "due", no call to pay.
    agent = await staff("agent")
    own = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert own["status"] == "cancelled"
    notice = await agent.get(f"/payments/case/{case['id']}")
    assert "无需缴纳" in notice.text and "银行网点柜台" not in notice.text


async def test_the_tellers_desk_page(staff):
    _, fees = await _filed(staff, 5)
    teller = await staff("teller")
    looked_up = await teller.get("/payments/", params={"code": fees["payment_code"]})
    assert "临时居民身份证工本费" in looked_up.text and "银行交易流水号" in looked_up.text
    wrong = await teller.post_form(
        f"/payments/{fees['payment_code']}",
        {"channel": "bank_counter", "amount": "9", "reference": reference()},
    )
    assert wrong.status_code == 422 and "未作任何记录" in wrong.text
    paid = await teller.post_form(
        f"/payments/{fees['payment_code']}",
        {"channel": "bank_counter", "amount": "10.00", "reference": reference()},
    )
    assert paid.status_code == 200 and "已开具收据" in paid.text
    agent = await staff("agent")
    assert "不能通过此渠道登记缴款" in (await agent.get("/payments/")).text
