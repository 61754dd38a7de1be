"""Each social security item filed by the village agent through /api/v1, run to its end state.

The township service centre (赶水镇便民服务中心) accepts; the district social
insurance and medical insurance centres decide — except the record printout,
which the township window issues on the spot under the district's delegation.
"""

from __future__ import annotations

from datetime import date, timedelta

from core.licences.tables import Licence
from tests.helpers import drain, site_today
from tests.plugins.support import (
    HAND_OVER,
    applicant,
    file_case,
    file_refused,
    id_number,
    run,
)

PENSION_ENROLMENT = "000115002000"
MEDICAL_ENROLMENT = "000115003000"
RECORD_PRINTOUT = "000115004000"
ELIGIBILITY = "000115005000"

TODAY = site_today()


def years_ago(years: int, days: int = 0) -> date:
    return TODAY.replace(year=TODAY.year - years) - timedelta(days=days)


async def test_pension_enrolment_from_16(staff):
    agent = await staff("agent")
    form = {
        "contribution_grade": "300",
        "household_address": "509910101201",
        "hardship": "severe_disability",
    }
    # Born 16 years ago tomorrow: still 15.
    young = applicant("秦少年", id_number(years_ago(16, days=-1), 101))
    errors = await file_refused(agent, PENSION_ENROLMENT, young, form)
    assert errors == {"applicant.id_number": "年满16周岁的城乡居民方可参加城乡居民养老保险。"}

    person = applicant("秦成年", id_number(years_ago(16), 102))
    case = await file_case(agent, PENSION_ENROLMENT, person, form)
    done = await run(
        staff,
        case["id"],
        [("clerk", "accept"), ("approver", "approve"), ("agent", "deliver", HAND_OVER)],
    )
    assert done["state"] == "delivered" and done["outcome"] == "approved"


async def test_medical_enrolment_of_a_newborn_within_90_days(staff):
    agent = await staff("agent")
    mother = applicant("尤妈妈", id_number(date(1996, 2, 2), 111, man=False))
    form = {
        "insured": "child",
        "insured_name": "尤宝宝",
        "category": "newborn",
        "birth_date": (TODAY - timedelta(days=90)).isoformat(),
        "birth_certificate_no": "R500765432",
        "household_address": "509910101201",
    }
    too_old = {**form, "birth_date": (TODAY - timedelta(days=91)).isoformat()}
    errors = await file_refused(agent, MEDICAL_ENROLMENT, mother, too_old)
    assert errors == {
        "birth_date": "出生超过90天的儿童应按学龄前儿童参保，待遇自等待期满后开始享受。"
    }
    own_number = {**form, "insured_id_number": mother["id_number"]}
    errors = await file_refused(agent, MEDICAL_ENROLMENT, mother, own_number)
    assert errors == {"insured_id_number": "子女的公民身份号码与申请人相同，请选择“申请人本人”。"}

    case = await file_case(agent, MEDICAL_ENROLMENT, mother, form)
    done = await run(staff, case["id"], [("clerk", "accept"), ("medical", "approve")])
    assert done["state"] == "issued"
    assert [e["unit"] for e in done["events"] if e["kind"] == "approve"] == [
        "綦江区医疗保障事务中心"
    ]


async def test_record_printout_is_issued_by_the_township_as_an_e_licence(staff, jobs):
    agent = await staff("agent")
    person = applicant("许参保", id_number(date(1972, 7, 7), 121))
    form = {
        "insurance_types": ["resident_pension"],
        "period_from": "2015-01-01",
        "period_to": "2025-12-31",
        "purpose": "house_purchase",
    }
    errors = await file_refused(
        agent, RECORD_PRINTOUT, person, {**form, "period_from": "2026-01-01"}
    )
    assert errors == {"period_from": "起始日期不能晚于截止日期。"}

    case = await file_case(agent, RECORD_PRINTOUT, person, form)
    done = await run(staff, case["id"], [("clerk", "accept"), ("clerk", "approve")])
    assert done["state"] == "issued"
    await drain(jobs)
    licence = await Licence.select().where(Licence.case == case["id"]).first()
    assert licence["licence_type"] == "social_insurance_record"
    assert licence["licence_number"] == f"CBZM-{case['tracking_code']}"
    assert licence["title"] == "社会保险参保缴费记录（参保证明）"


async def test_eligibility_certified_by_a_village_agent_for_a_pensioner(staff):
    agent = await staff("agent")
    form = {
        "certification_year": str(TODAY.year),
        "method": "home_visit",
        "verified_on": TODAY.isoformat(),
        "living": "household",
        "witness": "麻柳村村委会 何主任",
    }
    younger = applicant("何中年", id_number(years_ago(59), 131))
    errors = await file_refused(
        agent, ELIGIBILITY, younger, {**form, "certification_year": str(TODAY.year - 2)}
    )
    assert set(errors) == {"applicant.id_number", "certification_year"}
    assert "年满60周岁" in errors["applicant.id_number"]

    pensioner = applicant("何老人", id_number(date(1948, 10, 1), 132))
    elsewhere = {**form, "living": "elsewhere", "current_address": "重庆市渝中区解放碑街道1号"}
    case = await file_case(agent, ELIGIBILITY, pensioner, elsewhere)
    done = await run(staff, case["id"], [("clerk", "accept"), ("approver", "approve")])
    assert done["state"] == "issued"
    assert [e["unit"] for e in done["events"] if e["kind"] == "approve"] == [
        "綦江区社会保险事务中心"
    ]
