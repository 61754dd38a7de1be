"""Items a bank outlet accepts on behalf of departments, filed by the village agent, run to the end.

赶水支行 (the rural commercial bank's township branch) accepts; the social
insurance centre, the housing fund centre or market regulation decides; the
bank makes the card or pays the withdrawal out.
"""

from __future__ import annotations

from datetime import date, timedelta

from stdnum.cn import uscc

from core.licences.tables import Licence
from plugins.bank_outlets.documents import credit_code
from tests.helpers import drain, site_today
from tests.plugins.support import (
    HAND_OVER,
    VILLAGE_ADDRESS,
    applicant,
    file_case,
    file_refused,
    id_number,
    run,
)

CARD_APPLICATION = "000115010000"
CARD_REPLACEMENT = "000115011000"
FUND_WITHDRAWAL = "000131001000"
BUSINESS_REGISTRATION = "000127001000"

TODAY = site_today()
CARD_STEPS = [
    ("teller", "accept"),
    ("approver", "approve"),
    ("teller", "issue"),
    ("teller", "deliver", HAND_OVER),
]


async def test_social_security_card_for_a_child_made_and_collected_at_the_outlet(staff):
    agent = await staff("agent")
    parent = applicant("吕家长", id_number(date(1987, 1, 17), 141))
    form = {
        "cardholder": "child",
        "child_name": "吕小学",
        "child_id_number": id_number(date(2015, 9, 1), 142),
        "occupation": "student",
    }
    grown = {**form, "child_id_number": id_number(date(2005, 9, 1), 143)}
    errors = await file_refused(agent, CARD_APPLICATION, parent, grown)
    assert errors == {"child_id_number": "该子女已年满18周岁，应以本人名义申请。"}

    case = await file_case(agent, CARD_APPLICATION, parent, form)
    done = await run(staff, case["id"], CARD_STEPS)
    assert done["state"] == "delivered"
    units = {e["kind"]: e["unit"] for e in done["events"]}
    assert units["accept"] == "綦江农商银行赶水支行"
    assert units["approve"] == "綦江区社会保险事务中心"
    assert units["deliver"] == "綦江农商银行赶水支行"


async def test_lost_card_replaced(staff):
    agent = await staff("agent")
    person = applicant("施丢卡", id_number(date(1966, 6, 16), 151))
    form = {
        "reason": "lost",
        "reported_lost_on": (TODAY - timedelta(days=2)).isoformat(),
        "old_card_number": "12a4",
    }
    errors = await file_refused(agent, CARD_REPLACEMENT, person, form)
    assert errors == {"old_card_number": "请只填写数字。"}
    case = await file_case(agent, CARD_REPLACEMENT, person, {**form, "old_card_number": "1234"})
    done = await run(staff, case["id"], CARD_STEPS)
    assert done["state"] == "delivered"


async def test_retirement_withdrawal_decided_by_the_fund_centre_paid_by_the_bank(staff):
    agent = await staff("agent")
    person = applicant("张退休", id_number(date(1964, 3, 8), 161))
    form = {
        "reason": "retirement",
        "retired_on": "2024-03-31",
        "fund_account": "50011000123456",
        "amount": "86420.15",
        "payee_account": "6228 4801 2345 6789",
    }
    errors = await file_refused(
        agent, FUND_WITHDRAWAL, person, {**form, "fund_account": "5001-1000-abcd"}
    )
    assert errors == {"fund_account": "请只填写数字。"}

    case = await file_case(agent, FUND_WITHDRAWAL, person, form)
    done = await run(
        staff, case["id"], [("teller", "accept"), ("fund", "approve"), ("teller", "issue")]
    )
    assert done["state"] == "issued"
    units = {e["kind"]: e["unit"] for e in done["events"]}
    assert units["approve"] == "渝南市住房公积金管理中心綦江分中心"
    assert units["issue"] == "綦江农商银行赶水支行"


async def test_family_business_registered_with_an_electronic_licence(staff, jobs):
    agent = await staff("agent")
    operator = applicant("李老板", id_number(date(1980, 12, 1), 171))
    form = {
        "business_name": "綦江区赶水镇李记土特产店",
        "organisation": "family",
        "family_members": [
            {"name": "王老板娘", "id_number": id_number(date(1982, 2, 1), 172, man=False)}
        ],
        "business_scope": "食用农产品零售；日用百货销售",
        "premises": VILLAGE_ADDRESS,
        "capital": "50000",
        "employees": "2",
        "open_account": "yes",
    }
    bad = {
        **form,
        "business_name": "李记土特产",
        "family_members": [{"name": "李老板", "id_number": operator["id_number"]}],
    }
    errors = await file_refused(agent, BUSINESS_REGISTRATION, operator, bad)
    assert errors["business_name"].startswith("个体工商户名称应以组织形式结尾")
    assert errors["family_members[0].id_number"] == "经营者本人无需重复填写，请只填写其他家庭成员。"

    case = await file_case(agent, BUSINESS_REGISTRATION, operator, form)
    done = await run(staff, case["id"], [("teller", "accept"), ("market", "approve")])
    assert done["state"] == "issued"
    await drain(jobs)
    licence = await Licence.select().where(Licence.case == case["id"]).first()
    assert licence["licence_type"] == "business_licence" and licence["title"] == "营业执照"
    assert licence["licence_number"] == credit_code(case["tracking_code"])
    assert uscc.is_valid(licence["licence_number"]) and licence["licence_number"].startswith("92")
