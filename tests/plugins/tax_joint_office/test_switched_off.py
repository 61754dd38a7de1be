"""The city admin switches the tax plugin off for 綦江区: its items vanish there and new
cases are refused, while a case already filed stays readable and is finished."""

from __future__ import annotations

from datetime import date

from tests.helpers import authorise
from tests.plugins.support import (
    AGENT_VILLAGE,
    VILLAGE_ADDRESS,
    applicant,
    case_of,
    file_case,
    id_number,
    run,
    unit_id,
    uscc,
)

TAXPAYER_INFORMATION = "000125001000"
QIJIANG = "509910000000"


async def _switch(admin, enabled: bool) -> None:
    response = await admin.post_form(
        "/admin/catalog/plugins",
        {
            "plugin": "tax_joint_office",
            "unit": QIJIANG,
            "enabled": "1" if enabled else "0",
            "reason": "税务系统升级，暂停受理" if not enabled else "升级完成",
        },
    )
    assert response.status_code == 200, response.text


async def test_switched_off_for_a_district_hidden_refused_but_cases_in_progress_finish(staff):
    agent, admin = await staff("agent"), await staff("admin")
    person = applicant("王在办", id_number(date(1977, 7, 17), 191))
    form = {
        "business_name": "綦江区赶水镇王记面馆",
        "uscc": uscc("92", body="MA7RK2P4"),
        "opened_on": "2025-05-05",
        "business_address": VILLAGE_ADDRESS,
        "industry": "catering",
        "collection_method": "fixed_quota",
        "monthly_turnover": "20000",
        "tax_agreement": "no",
    }
    in_progress = await file_case(agent, TAXPAYER_INFORMATION, person, form)
    await _switch(admin, enabled=False)
    try:
        listed = await agent.get("/file/")
        assert "存量房（二手房）交易税费申报" not in listed.text
        assert "城乡居民基本养老保险参保登记" in listed.text  # other departments are untouched

        await authorise(agent, person["name"], person["id_number"])
        refused = await agent.api(
            "POST",
            "/api/v1/cases",
            {
                "unit_id": await unit_id(AGENT_VILLAGE),
                "item_code": TAXPAYER_INFORMATION,
                "applicant": person,
                "data": form,
            },
        )
        assert refused.status_code == 422
        assert "该部门的服务在本地已停用" in refused.json()["message"]

        seen = await case_of(agent, in_progress["id"])
        assert seen["state"] == "submitted"
        done = await run(
            staff, in_progress["id"], [("taxclerk", "accept"), ("taxofficer", "approve")]
        )
        assert done["state"] == "issued"
    finally:
        await _switch(admin, enabled=True)
    assert "存量房（二手房）交易税费申报" in (await agent.get("/file/")).text
