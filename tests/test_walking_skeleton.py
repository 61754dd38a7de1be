"""The walking skeleton's slice, driven over HTTP as a browser would.

A village agent files a pension enrolment for a resident, the township
window accepts it, the district social insurance centre approves it, and the
resident looks the status up by tracking code without logging in.
"""

from __future__ import annotations

from tests.helpers import authorise, tracking_code_in

PENSION = "000115002000"
RESIDENT = {
    "applicant.name": "张三",
    "applicant.id_number": "11010519491231002X",
    "applicant.phone": "13800138000",
}
FORM = {
    "contribution_grade": "500",
    "household_address": "509910101201",
    "remark": "<b>自愿参保</b>",
}


async def file_pension(agent) -> tuple[int, str]:
    await authorise(agent, RESIDENT["applicant.name"], RESIDENT["applicant.id_number"])
    response = await agent.post_form(f"/file/{PENSION}", {**RESIDENT, **FORM})
    assert response.status_code == 200, response.text
    case_id = int(str(response.url).split("/cases/")[1].split("?")[0])
    return case_id, tracking_code_in(response.text)


async def test_agent_files_clerk_accepts_department_approves_resident_sees(new_browser):
    agent, clerk, approver, resident = [await new_browser() for _ in range(4)]

    await agent.login("agent")
    items = await agent.get("/file/")
    assert "城乡居民基本养老保险参保登记" in items.text
    form = await agent.get(f"/file/{PENSION}")
    assert 'name="applicant.id_number"' in form.text
    case_id, code = await file_pension(agent)
    filed = await agent.get(f"/cases/{case_id}")
    assert "已提交" in filed.text
    assert "&lt;b&gt;自愿参保&lt;/b&gt;" in filed.text  # shown as text, never as markup

    await clerk.login("clerk")
    desk = await clerk.get("/desk/")
    assert code in desk.text
    accepted = await clerk.post_form(f"/cases/{case_id}/act", {"action": "accept"})
    assert accepted.status_code == 200
    assert "审核中" in accepted.text

    await approver.login("approver")
    desk = await approver.get("/desk/")
    assert code in desk.text
    approved = await approver.post_form(
        f"/cases/{case_id}/act", {"action": "approve", "reason": "符合参保条件"}
    )
    assert "已出结果" in approved.text

    status = await resident.get("/status/", params={"code": code, "last4": "002X"})
    assert status.status_code == 200
    assert "已出结果" in status.text
    assert "城乡居民基本养老保险参保登记" in status.text
    assert "11010519491231002X" not in status.text and "张三" not in status.text

    # Every transition recorded with actor and time, in order.
    events = await approver.api("GET", f"/api/v1/cases/{case_id}")
    kinds = [(e["kind"], e["actor"]) for e in events.json()["events"]]
    assert kinds == [
        ("submit", "李代办（麻柳村）"),
        ("accept", "王窗口（赶水镇）"),
        ("route", "system"),
        ("approve", "刘审批（綦江区社保）"),
        ("issue", "system"),
    ]
    assert all(e["at"] for e in events.json()["events"])


async def test_status_page_in_english_and_with_wrong_second_factor(new_browser):
    agent, resident = await new_browser(), await new_browser()
    await agent.login("agent")
    _, code = await file_pension(agent)
    resident.client.cookies.set("lang", "en")
    ok = await resident.get("/status/", params={"code": code, "last4": "8000"})
    assert "Submitted" in ok.text and "Urban-rural resident basic pension" in ok.text
    wrong = await resident.get("/status/", params={"code": code, "last4": "1234"})
    unknown_code = code[:-6] + "999990"
    assert "No case matches" in wrong.text
    typo = code[:5] + str((int(code[5]) + 1) % 10) + code[6:]
    mistyped = await resident.get("/status/", params={"code": typo, "last4": "8000"})
    assert "typing error" in mistyped.text and "No case matches" not in mistyped.text
    assert unknown_code


async def test_form_errors_are_shown_per_field_and_nothing_is_filed(new_browser):
    agent = await new_browser()
    await agent.login("agent")
    before = await agent.get("/cases/")
    bad = {
        **RESIDENT,
        "applicant.id_number": "110105194912310021",
        **FORM,
        "contribution_grade": "7",
    }
    response = await agent.post_form(f"/file/{PENSION}", bad)
    assert response.status_code == 422
    assert "请更正标出的字段" in response.text
    after = await agent.get("/cases/")
    assert before.text.count("/cases/") == after.text.count("/cases/")


async def test_healthz_checks_the_database(browser):
    response = await browser.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_a_resubmitted_filing_form_files_one_case(new_browser):
    """A double tap on 提交 (same idempotency key in the form) must not file twice."""
    agent = await new_browser()
    await agent.login("agent")
    await authorise(agent, RESIDENT["applicant.name"], RESIDENT["applicant.id_number"])
    form = {**RESIDENT, **FORM, "_idempotency_key": "double-tap-test-1"}
    first = await agent.post_form(f"/file/{PENSION}", form)
    second = await agent.post_form(f"/file/{PENSION}", form)
    assert first.status_code == second.status_code == 200
    assert tracking_code_in(first.text) == tracking_code_in(second.text)
