"""Each tax item filed by the village agent through /api/v1 and taken to its end state.

The township tax office (赶水税务所) accepts and decides on the spot; taxes
computed before filing are exactly what is assessed on the case, and are paid
at a bank outlet's counter against the payment code.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from core.cases import issuing
from core.cases.tables import Case, CaseEvent, Notification
from core.licences.tables import Licence
from tests.helpers import drain, site_today
from tests.plugins.support import (
    VILLAGE_ADDRESS,
    applicant,
    case_of,
    event_kinds,
    file_case,
    file_refused,
    id_number,
    quote,
    run,
    uscc,
)

TAXPAYER_INFORMATION = "000125001000"
INVOICE = "000125002000"
HOUSING = "000125003000"
CERTIFICATE = "000125004000"

SELLER = applicant("周卖房", id_number(date(1975, 4, 2), 11))
BUYER_ID = id_number(date(1990, 8, 9), 12, man=False)


async def pay(staff, payment_code: str, reference: str, amount: str):
    """The bank outlet's teller records the funds taken at the counter."""
    return await (await staff("teller")).api(
        "POST",
        f"/api/v1/payments/{payment_code}",
        {"channel": "bank_counter", "reference": reference, "amount": amount},
    )


def housing_form(**changes) -> dict:
    today = site_today()
    form = {
        "seller_name": SELLER["name"],
        "seller_id_number": SELLER["id_number"],
        "buyer_name": "吴买房",
        "buyer_id_number": BUYER_ID,
        "title_number": "渝（2019）綦江区不动产权第0012345号",
        "property_location": VILLAGE_ADDRESS,
        "location_class": "county_town",
        "floor_area": "140.00",
        "price": "630000.00",
        "acquired_on": (today - timedelta(days=6 * 366)).isoformat(),
        "contract_signed_on": today.isoformat(),
        "seller_only_home": "yes",
        "buyer_homes": "first",
        "original_value_known": "no",
    }
    return {**form, **changes}


async def test_taxpayer_information_is_confirmed_on_the_spot(staff):
    agent = await staff("agent")
    person = applicant("郑个体", id_number(date(1983, 2, 14), 21))
    form = {
        "business_name": "綦江区赶水镇郑记土特产店",
        "uscc": uscc("92"),
        "opened_on": "2024-03-01",
        "business_address": VILLAGE_ADDRESS,
        "industry": "retail",
        "collection_method": "fixed_quota",
        "monthly_turnover": "30000",
        "tax_agreement": "yes",
        "bank_name": "綦江农商银行赶水支行",
        "bank_account": "6228 4801 2345 6789 012",
    }
    errors = await file_refused(
        agent, TAXPAYER_INFORMATION, person, {**form, "uscc": uscc("91"), "bank_account": "12AB"}
    )
    assert "92" in errors["uscc"] and "个体工商户" in errors["uscc"]
    assert "8至32位数字" in errors["bank_account"]

    case = await file_case(agent, TAXPAYER_INFORMATION, person, form)
    done = await run(staff, case["id"], [("taxclerk", "accept"), ("taxofficer", "approve")])
    assert done["state"] == "issued" and done["outcome"] == "approved"
    assert event_kinds(done)[-1] == "issue"


async def test_invoice_taxes_are_quoted_assessed_and_paid_at_the_bank(staff):
    agent = await staff("agent")
    person = applicant("吴木匠", id_number(date(1968, 7, 1), 31))
    form = {
        "buyer_name": "綦江区赶水镇中心小学",
        "buyer_tax_id": uscc("12", body="45678901"),
        "business_type": "services",
        "description": "课桌椅维修",
        "amount": "1010.00",
        "occurred_on": site_today().isoformat(),
        "location_class": "county_town",
    }
    before = await quote(agent, INVOICE, form)
    # 1 010 ÷ 1.01 × 1% = 10.00; county town 5% × ½ = 0.25; 3% × ½ = 0.15; 2% × ½ = 0.10.
    assert [(line["code"], line["amount"]) for line in before["lines"]] == [
        ("vat", "10.00"),
        ("urban_construction_tax", "0.25"),
        ("education_surcharge", "0.15"),
        ("local_education_surcharge", "0.10"),
    ]
    assert before["total"] == "10.50"

    case = await file_case(agent, INVOICE, person, form)
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert fees["lines"] == before["lines"] and fees["total"] == "10.50"
    assert fees["status"] == "due" and len(fees["payment_code"]) == 20

    teller = await staff("teller")
    due = (await teller.api("GET", f"/api/v1/payments/{fees['payment_code']}")).json()
    assert due["total"] == "10.50" and due["payer"] == "吴**"
    paid = await teller.api(
        "POST",
        f"/api/v1/payments/{fees['payment_code']}",
        {"channel": "bank_counter", "reference": "GS20261123000101", "amount": "10.50"},
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["account"] == "treasury"

    done = await run(staff, case["id"], [("taxclerk", "accept"), ("taxofficer", "approve")])
    assert done["state"] == "issued"
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert fees["status"] == "paid" and fees["receipt"]["number"] == paid.json()["number"]


async def test_home_sale_taxes_shown_before_filing_match_the_assessment(staff):
    agent = await staff("agent")
    today = site_today()
    # Exactly 140 m², held exactly 2 years, the seller's only home but not 5 years:
    # VAT exempt, deed tax 1% (≤ 140 m²), income tax deemed 1% (original value unknown).
    form = housing_form(acquired_on=today.replace(year=today.year - 2).isoformat())
    if today.month == 2 and today.day == 29:  # the anniversary rule is tested elsewhere
        form = housing_form(acquired_on=(today - timedelta(days=731)).isoformat())
    before = await quote(agent, HOUSING, form)
    amounts = {line["code"]: line["amount"] for line in before["lines"]}
    assert amounts == {
        "vat": "0.00",
        "urban_construction_tax": "0.00",
        "education_surcharge": "0.00",
        "local_education_surcharge": "0.00",
        "individual_income_tax": "6300.00",
        "deed_tax": "6300.00",
    }
    payers = {line["code"]: line["payer"] for line in before["lines"]}
    assert payers["deed_tax"] == "买方" and payers["vat"] == "卖方"
    assert before["total"] == "12600.00"

    # The day before the second anniversary: VAT 630 000 ÷ 1.05 × 5% = 30 000 and its
    # surtaxes (county town, halved) 750 + 450 + 300; deed tax and income tax on 600 000.
    signed = date.fromisoformat(form["contract_signed_on"])
    day_short = housing_form(
        acquired_on=(signed.replace(year=signed.year - 2) + timedelta(days=1)).isoformat()
    )
    short = {
        line["code"]: line["amount"] for line in (await quote(agent, HOUSING, day_short))["lines"]
    }
    assert short["vat"] == "30000.00" and short["urban_construction_tax"] == "750.00"
    assert short["deed_tax"] == "6000.00" and short["individual_income_tax"] == "6000.00"

    case = await file_case(agent, HOUSING, SELLER, form)
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert fees["lines"] == before["lines"] and fees["total"] == "12600.00"

    done = await run(
        staff,
        case["id"],
        [("taxclerk", "accept"), ("taxofficer", "pass"), ("taxofficer", "approve")],
    )
    # Decided, but nothing is issued until the 12 600 yuan are paid (as at the tax hall).
    assert done["state"] == "approved" and done["outcome"] == "approved"
    kinds = event_kinds(done)
    assert kinds[:2] == ["submit", "accept"] and kinds[-2:] == ["approve", "issue_held"]
    assert "review_passed" in kinds
    assert done["awaiting"]["awaiting"] == "payment"
    assert done["awaiting"]["amount"] == "12600.00"
    assert done["awaiting"]["payment_code"] == fees["payment_code"]

    paid = await pay(staff, fees["payment_code"], "GS20261123000301", "12600.00")
    assert paid.status_code == 201, paid.text
    done = await case_of(agent, case["id"])
    assert done["state"] == "issued" and done["awaiting"] is None
    assert event_kinds(done)[-3:] == ["approve", "issue_held", "issue"]
    issued = done["events"][-1]
    assert issued["actor"] == "system" and issued["payload"]["receipt"] == paid.json()["number"]


async def test_home_sale_form_errors_are_named_and_nothing_is_filed(staff):
    agent = await staff("agent")
    today = site_today()
    errors = await file_refused(
        agent,
        HOUSING,
        SELLER,
        housing_form(
            buyer_id_number=SELLER["id_number"],
            acquired_on=(today + timedelta(days=0)).isoformat(),
        ),
    )
    assert errors["buyer_id_number"] == "买方与卖方不能为同一人。"
    assert errors["acquired_on"] == "卖方取得房屋的日期应早于买卖合同签订日期。"
    # A form too incomplete to price gives the agent field errors, not a wrong amount.
    response = await agent.api(
        "POST", "/api/v1/fees/quote", {"item_code": HOUSING, "data": {"price": "abc"}}
    )
    assert response.status_code == 422
    assert any(e["path"] == "price" for e in response.json()["errors"])


async def test_tax_payment_certificate_is_issued_as_a_signed_e_licence(staff, jobs):
    agent = await staff("agent")
    person = applicant("冯纳税", id_number(date(1979, 11, 30), 41))
    form = {
        "period_from": "2025-01-01",
        "period_to": "2025-12-31",
        "tax_types": ["individual_income_tax", "deed_tax"],
        "purpose": "loan",
    }
    reversed_period = {**form, "period_from": "2026-01-01", "period_to": "2025-01-01"}
    errors = await file_refused(agent, CERTIFICATE, person, reversed_period)
    assert errors == {"period_from": "起始日期不能晚于截止日期。"}

    case = await file_case(agent, CERTIFICATE, person, form)
    done = await run(staff, case["id"], [("taxclerk", "accept"), ("taxofficer", "approve")])
    assert done["state"] == "issued"
    await drain(jobs)
    licence = await Licence.select().where(Licence.case == case["id"]).first()
    assert licence["licence_type"] == "tax_payment_certificate"
    assert licence["title"] == "中华人民共和国税收完税证明"
    assert licence["licence_number"] == f"WSZM-{case['tracking_code']}"
    assert licence["holder_name"] == "冯纳税"


INVOICE_FORM = {
    "buyer_name": "綦江区赶水镇中心小学",
    "business_type": "services",
    "description": "课桌椅维修",
    "occurred_on": site_today().isoformat(),
    "location_class": "county_town",
}


async def test_invoice_result_waits_for_the_taxes_and_is_issued_once_paid(staff, jobs):
    agent = await staff("agent")
    person = applicant("钱木匠", id_number(date(1970, 5, 6), 32), phone="13900139123")
    form = {**INVOICE_FORM, "buyer_tax_id": uscc("12", body="45678902"), "amount": "1010.00"}
    case = await file_case(agent, INVOICE, person, form)
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    code = fees["payment_code"]
    done = await run(staff, case["id"], [("taxclerk", "accept"), ("taxofficer", "approve")])
    assert done["state"] == "approved" and event_kinds(done)[-1] == "issue_held"
    row = await Case.select().where(Case.id == case["id"]).first()
    # The office has finished: its clock stopped at the decision and stays stopped.
    assert row["decided_at"] is not None and row["light_changes_at"] is None

    # The applicant's status page says what to pay and under which code.
    status = await agent.api("GET", f"/api/v1/status/{case['tracking_code']}?last4=9123")
    assert status.status_code == 200, status.text
    shown = status.json()
    assert shown["state"] == "approved" and shown["awaiting"] == "payment"
    assert shown["amount_due"] == "10.50" and shown["payment_code"] == code
    assert "10.50" in shown["next_step"] and code in shown["next_step"]
    page = await agent.get("/status/", params={"code": case["tracking_code"], "last4": "9123"})
    assert "请于银行柜台缴纳 10.50 元" in page.text and code in page.text
    assert "结果待缴费后出具" in page.text  # the timeline

    # Staff see the same next step on the case page, and no issue action to take.
    officer = await staff("taxofficer")
    detail = await officer.get(f"/cases/{case['id']}")
    assert 'id="awaiting"' in detail.text and code in detail.text and "10.50" in detail.text
    assert 'value="issue"' not in detail.text

    # Paid at the counter, the bank's confirmation arriving twice at once: one payment,
    # one receipt, and the result issued in the payment's transaction.
    first, twin = await asyncio.gather(
        pay(staff, code, "GS20261123000401", "10.50"),
        pay(staff, code, "GS20261123000401", "10.50"),
    )
    assert first.status_code == twin.status_code == 201, (first.text, twin.text)
    assert twin.json()["number"] == first.json()["number"]
    done = await case_of(agent, case["id"])
    assert done["state"] == "issued" and done["awaiting"] is None

    # And once more later: the same receipt, nothing issued twice; another payment is refused.
    again = await pay(staff, code, "GS20261123000401", "10.50")
    assert again.status_code == 201 and again.json()["number"] == first.json()["number"]
    other = await pay(staff, code, "GS20261123000402", "10.50")
    assert other.status_code == 409
    assert await issuing.release(case["id"]) is False
    issues = await CaseEvent.count().where(
        (CaseEvent.case == case["id"]) & (CaseEvent.kind == "issue")
    )
    assert issues == 1
    assert event_kinds(await case_of(agent, case["id"]))[-3:] == ["approve", "issue_held", "issue"]

    # The usual notifications: the payment request at the decision, "result ready" once paid.
    await drain(jobs)
    notes = await Notification.select().where(Notification.case == case["id"])
    held_seq, issue_seq = (e["seq"] for e in done["events"][-2:])
    asked = [n for n in notes if n["event_seq"] == held_seq and n["audience"] == "applicant"]
    assert len(asked) == 1 and code in asked[0]["body"] and "10.50" in asked[0]["body"]
    ready = [n for n in notes if n["event_seq"] == issue_seq]
    assert sorted(n["audience"] for n in ready) == ["agent", "applicant"]


async def test_invoice_with_nothing_to_pay_is_issued_at_approval(staff):
    agent = await staff("agent")
    person = applicant("孙木匠", id_number(date(1972, 6, 7), 33))
    form = {**INVOICE_FORM, "buyer_tax_id": uscc("12", body="45678903"), "amount": "504.99"}
    case = await file_case(agent, INVOICE, person, form)
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert fees["total"] == "0.00"
    done = await run(staff, case["id"], [("taxclerk", "accept"), ("taxofficer", "approve")])
    assert done["state"] == "issued" and event_kinds(done)[-2:] == ["approve", "issue"]
