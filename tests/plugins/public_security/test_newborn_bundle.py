"""新生儿出生一件事: one application at the village creates three cases in three departments.

The father applies once at 麻柳村: birth registration (赶水派出所), resident
medical insurance (綦江区医保中心) and a social security card (赶水支行). The
resident follows all three under the bundle's one tracking code.
"""

from __future__ import annotations

from datetime import date, timedelta

from tests.helpers import authorise, site_today
from tests.plugins.support import (
    AGENT_VILLAGE,
    HAND_OVER,
    VILLAGE_ADDRESS,
    applicant,
    id_number,
    run,
    unit_id,
)

BIRTH_REGISTRATION = "000112003000"
MEDICAL_ENROLMENT = "000115003000"
CARD_APPLICATION = "000115010000"

BORN = site_today() - timedelta(days=5)
FATHER = applicant("严父亲", id_number(date(1991, 11, 11), 181), phone="13900139001")
MOTHER_ID = id_number(date(1993, 3, 13), 182, man=False)
CERTIFICATE = "S500246810"


def forms(**medical_changes) -> dict:
    return {
        BIRTH_REGISTRATION: {
            "child_name": "严新生",
            "child_sex": "male",
            "birth_date": BORN.isoformat(),
            "birth_certificate_no": CERTIFICATE,
            "birth_place": "綦江区妇幼保健院",
            "ethnicity": "han",
            "father_name": FATHER["name"],
            "father_id_number": FATHER["id_number"],
            "mother_name": "陶母亲",
            "mother_id_number": MOTHER_ID,
            "follows": "father",
            "household_address": VILLAGE_ADDRESS,
            "relation_to_head": "child",
        },
        MEDICAL_ENROLMENT: {
            "insured": "child",
            "insured_name": "严新生",
            "category": "newborn",
            "birth_date": BORN.isoformat(),
            "birth_certificate_no": CERTIFICATE,
            "household_address": AGENT_VILLAGE,
            **medical_changes,
        },
        CARD_APPLICATION: {
            "cardholder": "newborn",
            "child_name": "严新生",
            "birth_certificate_no": CERTIFICATE,
            "occupation": "other",
        },
    }


async def _file(agent, data: dict):
    await authorise(agent, FATHER["name"], FATHER["id_number"])
    return await agent.api(
        "POST",
        "/api/v1/bundles",
        {
            "unit_id": await unit_id(AGENT_VILLAGE),
            "bundle_code": "newborn",
            "applicant": FATHER,
            "data": data,
            "materials": ["birth_certificate"],
        },
    )


async def _status(browser, code: str) -> dict:
    response = await browser.get(f"/api/v1/status/{code}", params={"last4": "9001"})
    assert response.status_code == 200, response.text
    return response.json()


async def test_newborn_bundle_runs_across_three_departments_under_one_status(staff, new_browser):
    agent = await staff("agent")
    # One bad form refuses the whole bundle, naming the item and the field; nothing is filed.
    late = (site_today() - timedelta(days=91)).isoformat()
    refused = await _file(agent, forms(birth_date=late))
    assert refused.status_code == 422
    assert {e["path"] for e in refused.json()["errors"]} == {f"{MEDICAL_ENROLMENT}.birth_date"}

    filed = await _file(agent, forms())
    assert filed.status_code == 201, filed.text
    bundle = filed.json()
    cases = {c["item_code"]: c["id"] for c in bundle["cases"]}
    assert set(cases) == {BIRTH_REGISTRATION, MEDICAL_ENROLMENT, CARD_APPLICATION}

    resident = await new_browser()
    status = await _status(resident, bundle["tracking_code"])
    assert status["progress"] == "in_progress" and len(status["cases"]) == 3
    assert {c["state"] for c in status["cases"]} == {"submitted"}

    await run(
        staff, cases[BIRTH_REGISTRATION], [("policeclerk", "accept"), ("policeofficer", "approve")]
    )
    await run(staff, cases[MEDICAL_ENROLMENT], [("clerk", "accept"), ("medical", "approve")])
    midway = await _status(resident, bundle["tracking_code"])
    states = {c["item_name"]: c["state"] for c in midway["cases"]}
    assert states == {
        "出生登记（新生儿落户）": "issued",
        "城乡居民基本医疗保险参保登记": "issued",
        "社会保障卡申领（银行网点代办）": "submitted",
    }
    assert midway["progress"] == "in_progress"

    await run(
        staff,
        cases[CARD_APPLICATION],
        [
            ("teller", "accept"),
            ("approver", "approve"),
            ("teller", "issue"),
            ("teller", "deliver", HAND_OVER),
        ],
    )
    for code in (BIRTH_REGISTRATION, MEDICAL_ENROLMENT):
        await run(staff, cases[code], [("agent", "deliver", HAND_OVER)])
    done = await _status(resident, bundle["tracking_code"])
    assert done["progress"] == "completed"
    assert {c["state"] for c in done["cases"]} == {"delivered"}
    # The resident's page shows the bundle by name, without personal data.
    page = await resident.get("/status/", params={"code": bundle["tracking_code"], "last4": "9001"})
    assert "新生儿出生一件事" in page.text and FATHER["id_number"] not in page.text
