"""Files taken on the filing form go with the case whatever path filed it.

Before the fix only the agent's workbench attached uploads: a case filed
through the filing form (POST /file/<item>) or the JSON API kept its files
unattached, so the window clerk who accepts it could not open them.
"""

from __future__ import annotations

import re

from core.materials.tables import Upload
from tests.cases.world import FEE_ITEM, VILLAGE
from tests.helpers import signature_png

PASSWORD = "test-password-1"


async def logged_in(new_browser, username: str):
    browser = await new_browser()
    await browser.login(username, PASSWORD)
    return browser


async def upload_scan(agent) -> str:
    """The form's file field takes a scan (an htmx round-trip), as on the filing page."""
    response = await agent.client.post(
        f"/forms/{FEE_ITEM}/upload",
        data={"_field": "scan"},
        files={"file": ("身份证.png", signature_png(), "image/png")},
        headers={"x-csrftoken": agent.csrf, "hx-request": "true"},
    )
    assert response.status_code == 200, response.text[-1000:]
    return re.search(r'name="scan" value="([^"]+)"', response.text).group(1)


async def upload_material(agent) -> str:
    """A material slot of the item (the ID card), as the workbench's upload control sends it."""
    response = await agent.client.post(
        "/materials/upload",
        files={"upload.id_card": ("身份证反面.png", signature_png(), "image/png")},
        headers={"x-csrftoken": agent.csrf, "hx-request": "true"},
    )
    assert response.status_code == 200, response.text[-1000:]
    return re.search(r'name="_material.id_card" value="([^"]+)"', response.text).group(1)


async def clerk_sees(clerk, case_id: int, public_id: str) -> bool:
    listing = await clerk.get(f"/materials/of-case/{case_id}")
    opened = await clerk.get(f"/materials/{public_id}")
    return listing.status_code == 200 and public_id in listing.text and opened.status_code == 200


async def test_a_case_filed_through_the_filing_form_carries_its_uploads(world, new_browser):
    agent = await logged_in(new_browser, "t_agent")
    clerk = await logged_in(new_browser, "t_clerk")
    person = world.next_applicant()
    await world.authorise("t_agent", person)
    token = await upload_scan(agent)
    filed = await agent.post_form(
        f"/file/{FEE_ITEM}",
        {
            "applicant.name": person["name"],
            "applicant.id_number": person["id_number"],
            "applicant.phone": person["phone"],
            "purpose": "测试",
            "scan": token,
        },
    )
    assert filed.status_code == 200 and "/cases/" in str(filed.url), filed.text[-2000:]
    case_id = int(str(filed.url).split("/cases/")[1].split("?")[0])
    row = await Upload.select(Upload.case, Upload.round).where(Upload.public_id == token).first()
    assert row == {"case": case_id, "round": 0}
    # The window clerk who accepts the case opens the scan.
    assert await clerk_sees(clerk, case_id, token)


async def test_a_case_filed_through_the_api_carries_its_uploads(world, new_browser):
    agent = await logged_in(new_browser, "t_agent")
    clerk = await logged_in(new_browser, "t_clerk")
    person = world.next_applicant()
    await world.authorise("t_agent", person)
    token, material = await upload_scan(agent), await upload_material(agent)
    response = await agent.api(
        "POST",
        "/api/v1/cases/",
        {
            "unit_id": await world.unit_id(VILLAGE),
            "item_code": FEE_ITEM,
            "applicant": person,
            "data": {"purpose": "测试", "scan": token},
            "uploads": [material],
        },
    )
    assert response.status_code == 201, response.text
    case_id = response.json()["id"]
    assert await clerk_sees(clerk, case_id, token)
    assert await clerk_sees(clerk, case_id, material)


async def test_someone_elses_upload_is_not_attached(world, new_browser):
    """The API names an upload the filer did not take: it stays with its uploader."""
    agent = await logged_in(new_browser, "t_agent")
    clerk = await logged_in(new_browser, "t_clerk")
    theirs = await upload_material(clerk)
    person = world.next_applicant()
    await world.authorise("t_agent", person)
    response = await agent.api(
        "POST",
        "/api/v1/cases/",
        {
            "unit_id": await world.unit_id(VILLAGE),
            "item_code": FEE_ITEM,
            "applicant": person,
            "data": {"purpose": "测试"},
            "uploads": [theirs],
        },
    )
    assert response.status_code == 201, response.text
    row = await Upload.select(Upload.case).where(Upload.public_id == theirs).first()
    assert row["case"] is None
