"""Each public security item filed by the village agent through /api/v1, run to its end state.

赶水派出所 (township) accepts and decides what a police station decides; the
district bureau (綦江区公安局) approves household transfers and searches the
criminal record database.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.licences.tables import Licence
from tests.helpers import drain, site_today
from tests.plugins.support import (
    HAND_OVER,
    VILLAGE_ADDRESS,
    applicant,
    event_kinds,
    file_case,
    file_refused,
    id_number,
    run,
)

TEMPORARY_ID = "000112001000"
HOUSEHOLD_TRANSFER = "000112002000"
BIRTH_REGISTRATION = "000112003000"
RESIDENCE_PERMIT = "000112004000"
NO_CRIMINAL_RECORD = "000112005000"

TODAY = site_today()


async def test_temporary_id_card_issued_on_the_spot_after_its_fee_is_paid(staff):
    agent = await staff("agent")
    person = applicant("蒋急用", id_number(date(1988, 3, 3), 51))
    form = {
        "pending_application": "renewal",
        "application_receipt_no": "GA500110202611200031",
        "urgent_use": "exam",
        "needed_by": (TODAY + timedelta(days=120)).isoformat(),
    }
    errors = await file_refused(agent, TEMPORARY_ID, person, form)
    assert errors == {
        "needed_by": "临时居民身份证有效期为三个月；更晚才需使用的，请等待正式居民身份证。"
    }

    case = await file_case(agent, TEMPORARY_ID, person, {**form, "needed_by": TODAY.isoformat()})
    fees = (await agent.api("GET", f"/api/v1/cases/{case['id']}/fees")).json()
    assert fees["total"] == "10.00" and fees["lines"][0]["kind"] == "fee"
    paid = await (await staff("teller")).api(
        "POST",
        f"/api/v1/payments/{fees['payment_code']}",
        {"channel": "bank_counter", "reference": "GA2026112300000001", "amount": "10.00"},
    )
    assert paid.status_code == 201, paid.text
    done = await run(
        staff,
        case["id"],
        [("policeclerk", "accept"), ("policeofficer", "approve"), ("agent", "deliver", HAND_OVER)],
    )
    assert done["state"] == "delivered" and done["outcome"] == "approved"


async def test_household_transfer_goes_up_to_the_district_and_back_to_the_resident(staff):
    agent = await staff("agent")
    person = applicant("褚迁户", id_number(date(1992, 9, 9), 61, man=False))
    form = {
        "move_reason": "marriage",
        "from_address": {"unit": "509920101201", "detail": "金龙村5组2号"},
        "to_address": VILLAGE_ADDRESS,
        "into_household": "existing",
        "head_name": "李户主",
        "relation_to_head": "spouse",
        "companions": [
            {"name": "李小迁", "id_number": id_number(date(2016, 1, 5), 62), "relation": "child"}
        ],
    }
    errors = await file_refused(
        agent,
        HOUSEHOLD_TRANSFER,
        person,
        {
            **form,
            "to_address": form["from_address"],
            "companions": [
                {"name": "褚迁户", "id_number": person["id_number"], "relation": "parent"}
            ],
        },
    )
    assert errors["to_address"] == "迁入地址与现户籍地址相同。"
    assert (
        errors["companions[0].id_number"] == "申请人本人已在迁移之列，随迁人员只填写其他家庭成员。"
    )

    case = await file_case(agent, HOUSEHOLD_TRANSFER, person, form)
    done = await run(
        staff,
        case["id"],
        [
            ("policeclerk", "accept"),
            ("policeofficer", "pass"),
            ("policeapprover", "approve"),
            ("policeclerk", "issue"),
            ("clerk", "deliver", HAND_OVER),
        ],
    )
    assert done["state"] == "delivered"
    units = [e["unit"] for e in done["events"] if e["kind"] in ("accept", "approve", "deliver")]
    assert units == ["綦江区公安局赶水派出所", "綦江区公安局", "赶水镇便民服务中心"]


def birth_form(**changes) -> dict:
    form = {
        "child_name": "李安然",
        "child_sex": "female",
        "birth_date": (TODAY - timedelta(days=10)).isoformat(),
        "birth_certificate_no": "Q500123456",
        "birth_place": "綦江区人民医院",
        "ethnicity": "han",
        "father_name": "李父亲",
        "father_id_number": id_number(date(1993, 4, 4), 71),
        "mother_name": "王母亲",
        "mother_id_number": id_number(date(1995, 5, 5), 72, man=False),
        "follows": "father",
        "household_address": VILLAGE_ADDRESS,
        "relation_to_head": "child",
    }
    return {**form, **changes}


async def test_birth_registration_is_done_on_the_spot(staff):
    agent = await staff("agent")
    form = birth_form()
    father = applicant("李父亲", form["father_id_number"])
    errors = await file_refused(
        agent,
        BIRTH_REGISTRATION,
        father,
        birth_form(
            birth_certificate_no="q500123456",
            mother_id_number=form["father_id_number"],
            birth_date=(TODAY - timedelta(days=70)).isoformat(),
        ),
    )
    assert errors["birth_certificate_no"] == "出生医学证明编号由1位大写字母和9位数字组成。"
    assert errors["mother_id_number"] == "该公民身份号码属于男性，请核对母亲的公民身份号码。"
    assert errors["late_reason"] == "出生已超过一个月，请填写逾期申报原因。"
    stranger = applicant("张邻居", id_number(date(1960, 6, 6), 73))
    errors = await file_refused(agent, BIRTH_REGISTRATION, stranger, form)
    assert "申请人应为新生儿父母一方" in errors["applicant.id_number"]

    case = await file_case(agent, BIRTH_REGISTRATION, father, form)
    done = await run(
        staff,
        case["id"],
        [("policeclerk", "accept"), ("policeofficer", "approve"), ("agent", "deliver", HAND_OVER)],
    )
    assert done["state"] == "delivered"


async def test_residence_permit_after_six_months_made_and_collected(staff):
    agent = await staff("agent")
    person = applicant("沈外来", id_number(date(1985, 12, 12), 81))
    form = {
        "hukou_place": "四川省广安市邻水县",
        "residence_address": VILLAGE_ADDRESS,
        "resident_since": (TODAY - timedelta(days=400)).isoformat(),
        "basis": "employment",
        "employer": "綦江区赶水镇某建材厂",
    }
    recent = (TODAY - timedelta(days=30)).isoformat()
    errors = await file_refused(agent, RESIDENCE_PERMIT, person, {**form, "resident_since": recent})
    assert errors["resident_since"].startswith("申领居住证须在本地居住满半年")

    case = await file_case(agent, RESIDENCE_PERMIT, person, form)
    done = await run(
        staff,
        case["id"],
        [
            ("policeclerk", "accept"),
            ("policeofficer", "approve"),
            ("policeclerk", "issue"),
            ("policeclerk", "deliver", HAND_OVER),
        ],
    )
    assert done["state"] == "delivered"
    kinds = event_kinds(done)
    assert kinds[-1] == "deliver" and kinds.index("issue") > kinds.index("approve")


async def test_no_criminal_record_certificate_is_a_signed_e_licence(staff, jobs):
    agent = await staff("agent")
    person = applicant("韩求职", id_number(date(1998, 8, 18), 91))
    form = {"purpose": "employment", "receiver": "重庆某物流有限公司"}
    case = await file_case(agent, NO_CRIMINAL_RECORD, person, form)
    done = await run(
        staff,
        case["id"],
        [("policeclerk", "accept"), ("policeapprover", "pass"), ("policeapprover", "approve")],
    )
    assert done["state"] == "issued"
    await drain(jobs)
    licence = await Licence.select().where(Licence.case == case["id"]).first()
    assert licence["licence_type"] == "no_criminal_record_certificate"
    assert licence["title"] == "无犯罪记录证明"
    assert licence["licence_number"] == f"WFZ-{case['tracking_code']}"
