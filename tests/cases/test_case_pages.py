"""The case pages and API as people use them: offered actions, refusals shown in place,
the desk by light, the supervisor's escalations, the combined bundle status."""

from __future__ import annotations

import re

from core.cases.sweep import run_sweep
from core.cases.tables import Case
from tests.cases.world import B_ITEM, BUNDLE, SIMPLE, VILLAGE, local

PASSWORD = "test-password-1"


async def logged_in(new_browser, username: str):
    browser = await new_browser()
    await browser.login(username, PASSWORD)
    return browser


async def test_the_clerk_lists_missing_materials_and_the_resident_sees_them(world, new_browser):
    person = world.next_applicant()
    case = await world.file(SIMPLE, applicant=person)
    clerk = await logged_in(new_browser, "t_clerk")
    page = await clerk.get(f"/cases/{case['id']}")
    assert page.status_code == 200
    for action in ("accept", "refuse", "request_supplement"):
        assert f'name="action" value="{action}"' in page.text
    assert 'name="material" value="application"' in page.text
    done = await clerk.post_form(
        f"/cases/{case['id']}/act",
        [
            ("action", "request_supplement"),
            ("material", "id_card"),
            ("problem.id_card", "missing"),
            ("material", "application"),
            ("problem.application", "defective"),
            ("note.application", "缺少签名"),
            ("reason", ""),
        ],
    )
    assert done.status_code == 200
    assert "申请人需补正的材料" in done.text and "缺少签名" in done.text
    resident = await new_browser()
    status = await resident.get(
        "/status/", params={"code": case["tracking_code"], "last4": person["id_number"][-4:]}
    )
    assert "补正" in status.text
    assert "居民身份证" in status.text and "申请表" in status.text and "缺少签名" in status.text
    assert person["name"] not in status.text and person["id_number"] not in status.text


async def test_a_refused_action_is_explained_on_the_page_and_changes_nothing(world, new_browser):
    case = await world.file(SIMPLE)
    clerk = await logged_in(new_browser, "t_clerk")
    before = await Case.select(Case.event_count).where(Case.id == case["id"]).first()
    page = await clerk.post_form(f"/cases/{case['id']}/act", {"action": "refuse", "reason": ""})
    assert page.status_code == 422
    assert "请说明理由" in page.text or "理由" in page.text
    page = await clerk.post_form(f"/cases/{case['id']}/act", {"action": "approve"})
    assert page.status_code == 409
    assert "不能执行" in page.text
    after = await Case.select(Case.event_count).where(Case.id == case["id"]).first()
    assert after == before


async def test_the_desk_puts_red_first_and_the_supervisor_sees_escalations(
    world, clock, new_browser
):
    clock.set(local(2026, 11, 2, 9))
    late = await world.file(SIMPLE)
    await world.act("t_clerk", late["id"], "accept")
    clock.set(local(2026, 11, 4, 9))
    fresh = await world.file(SIMPLE)
    await world.act("t_clerk", fresh["id"], "accept")
    await run_sweep(local(2026, 11, 5, 8))  # the first case's review step is overdue
    reviewer = await logged_in(new_browser, "t_rev_a")
    desk = await reviewer.get("/desk/")
    codes = re.findall(r'<a href="/cases/(\d+)">', desk.text)
    assert codes.index(str(late["id"])) < codes.index(str(fresh["id"]))
    assert "已超期" in desk.text or "超期" in desk.text
    supervisor = await logged_in(new_browser, "t_sup")
    desk = await supervisor.get("/desk/")
    assert "提请您督办的办件" in desk.text
    assert late["tracking_code"] in desk.text


async def test_the_api_lists_and_takes_actions(world, new_browser):
    case = await world.file(SIMPLE)
    clerk = await logged_in(new_browser, "t_clerk")
    offered = await clerk.api("GET", f"/api/v1/cases/{case['id']}/actions")
    assert offered.status_code == 200
    actions = {o["action"]: o for o in offered.json()}
    assert {"accept", "refuse", "request_supplement", "transfer", "claim"} <= set(actions)
    assert actions["request_supplement"]["choices"] == ["id_card", "application", "photo"]
    response = await clerk.api(
        "POST",
        f"/api/v1/cases/{case['id']}/actions",
        {"action": "request_supplement", "materials": [{"code": "photo", "problem": "missing"}]},
    )
    assert response.status_code == 200 and response.json()["state"] == "supplement_requested"
    wrong = await clerk.api("POST", f"/api/v1/cases/{case['id']}/actions", {"action": "accept"})
    assert wrong.status_code == 409
    assert "message" in wrong.json()


async def test_a_bundle_through_the_api_and_its_combined_public_status(world, new_browser):
    person = world.next_applicant()
    await world.authorise("t_agent", person)
    agent = await logged_in(new_browser, "t_agent")
    filed = await agent.api(
        "POST",
        "/api/v1/bundles",
        {
            "unit_id": await world.unit_id(VILLAGE),
            "bundle_code": BUNDLE,
            "applicant": person,
            "data": {SIMPLE: {"purpose": "落户"}, B_ITEM: {"purpose": "参保"}},
            "materials": ["id_card"],
        },
    )
    assert filed.status_code == 201, filed.text
    body = filed.json()
    assert [c["item_code"] for c in body["cases"]] == [SIMPLE, B_ITEM]
    status = await (await new_browser()).api(
        "GET", f"/api/v1/status/{body['tracking_code']}?last4={person['phone'][-4:]}"
    )
    assert status.status_code == 200
    combined = status.json()
    assert combined["name"] == "测试一件事"
    assert [c["tracking_code"] for c in combined["cases"]] == [
        c["tracking_code"] for c in body["cases"]
    ]
    page = await (await new_browser()).get(
        "/status/", params={"code": body["tracking_code"], "last4": person["phone"][-4:]}
    )
    assert "测试一件事" in page.text
    assert all(c["tracking_code"] in page.text for c in body["cases"])


async def test_the_bundle_form_files_every_case(world, new_browser):
    person = world.next_applicant()
    await world.authorise("t_agent", person)
    agent = await logged_in(new_browser, "t_agent")
    listing = await agent.get("/bundles/")
    assert "测试一件事" in listing.text
    form = await agent.get(f"/bundles/{BUNDLE}")
    assert f'name="{SIMPLE}.purpose"' in form.text and 'name="_material"' in form.text
    filed = await agent.post_form(
        f"/bundles/{BUNDLE}",
        [
            ("applicant.name", person["name"]),
            ("applicant.id_number", person["id_number"]),
            ("applicant.phone", person["phone"]),
            ("_material", "id_card"),
            (f"{SIMPLE}.purpose", "落户"),
            (f"{B_ITEM}.purpose", "参保"),
        ],
    )
    assert filed.status_code == 200, filed.text
    assert "/bundles/filed/" in str(filed.url)
    assert len(re.findall(r'<a href="/cases/\d+">', filed.text)) == 2
