"""The day's work end to end in a real browser, in Chinese and again in English.

An agent registers a resident, records their consent on the tablet, files
the pension enrolment with a photo of the ID card and gets a receipt; the
township clerk asks for a missing material; the agent photographs and hands
it in; the clerk accepts; the district's social insurance centre approves;
the resident sees the result by tracking code. Every page is screenshotted
under ``test-artifacts/``. Buttons and links are found by their visible,
translated names, as a person (or a screen reader) finds them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.i18n import gettext
from tests.helpers import DEMO_PASSWORDS
from tests.ui import flows, media

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "walkthrough"

PENSION_NAME = {"zh_CN": "城乡居民基本养老保险参保登记", "en": "Urban-rural resident basic pension"}


@pytest.fixture
def artifacts(request):
    """``test-artifacts/walkthrough/<locale>/``: one screenshot per page, numbered in order."""
    folder = ARTIFACTS / request.node.callspec.params["locale"]
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


class Shots:
    def __init__(self, folder):
        self.folder, self.count = folder, 0

    async def __call__(self, page, name: str) -> None:
        self.count += 1
        await page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


async def log_in(page, username: str, locale: str, t) -> None:
    await page.goto("/login")
    if locale == "en":
        await page.get_by_role("link", name="English").click()
        await page.wait_for_url("**/login")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(DEMO_PASSWORDS[username])
    await page.get_by_role("button", name=t("Log in")).click()
    await page.wait_for_load_state()


async def settle(page) -> None:
    """Wait until htmx has no request in flight."""
    await page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_agent_clerk_department_resident_walkthrough(new_page, artifacts, tmp_path, locale):
    def t(message: str, **params) -> str:
        return gettext(locale, message, **params)

    shot = Shots(artifacts)
    photo = tmp_path / "id-card.jpg"
    photo.write_bytes(media.jpeg(1200, 800))
    form_scan = tmp_path / "enrolment-form.pdf"
    form_scan.write_bytes(media.pdf("enrolment form"))
    name = "陈春燕" if locale == "zh_CN" else "Chen Chunyan"
    id_number, phone = flows.new_id_number("19680412"), flows.new_phone()

    # -- the village agent ------------------------------------------------------------
    # Browsers in the villages ask for Chinese; the English run switches with the link.
    agent = await new_page(locale="zh-CN")
    await log_in(agent, "agent", locale, t)
    await agent.get_by_role("navigation").get_by_role("link", name=t("Workbench")).click()
    await shot(agent, "agent-workbench")
    await agent.get_by_role("link", name=t("Register a new resident")).first.click()
    await agent.locator("#f-name").fill(name)
    await agent.locator("#f-id_number").fill(id_number)
    await agent.locator("#f-phone").fill(phone)
    await shot(agent, "agent-register")
    await agent.get_by_role("button", name=t("Register"), exact=True).click()
    await agent.get_by_text(t("The resident is registered.")).wait_for()
    assert id_number not in await agent.content(), "the ID number is shown masked"
    await shot(agent, "agent-resident")

    await agent.get_by_role("link", name=t("Record an authorisation")).click()
    pad = agent.locator("#sig-pad")
    await pad.wait_for()
    box = await pad.bounding_box()
    await agent.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    await agent.mouse.down()
    for step in range(1, 12):
        await agent.mouse.move(
            box["x"] + 30 + step * 35, box["y"] + box["height"] * (0.3 if step % 2 else 0.7)
        )
    await agent.mouse.up()
    await shot(agent, "agent-consent-signature")
    await agent.get_by_role("button", name=t("Record the authorisation")).click()
    await agent.get_by_text(t("The authorisation is recorded.")).wait_for()

    await agent.get_by_label(t("Search items")).fill("cxjm")  # pinyin initials
    await agent.locator("#item-list").get_by_text(PENSION_NAME[locale]).wait_for()
    await settle(agent)  # the search's swap lands before the click, not under it
    await shot(agent, "agent-pick-item")
    await agent.locator("#item-list").get_by_role("link", name=PENSION_NAME[locale]).click()
    await agent.locator("#item-form").wait_for()
    await agent.locator('input[name="contribution_grade"][value="500"]').check()
    await settle(agent)
    # Each change re-renders the form section (htmx); typing on at once must lose nothing.
    await agent.locator('input[name="household_address.unit"]').fill("509910101201")
    await agent.locator('input[name="household_address.unit"]').press("Tab")
    await agent.locator('input[name="household_address.detail"]').fill("三组 12 号")
    await agent.locator('input[name="household_address.detail"]').press("Tab")
    await settle(agent)
    await agent.locator("#pick-upload-id_card").set_input_files(photo)
    await agent.locator("#files-upload-id_card img").wait_for()
    await settle(agent)
    await agent.locator("#fee-quote").get_by_text(t("Free of charge")).wait_for()
    await shot(agent, "agent-filing-form")
    await agent.get_by_role("button", name=t("Submit"), exact=True).click()
    await agent.get_by_role("heading", name=t("Filing receipt")).wait_for()
    code = (await agent.locator(".code.big").inner_text()).strip()
    assert re.fullmatch(r"[0-9X]{18}", code)
    receipt = await agent.locator(".receipt").inner_text()
    assert re.search(r"\(1 ", receipt), "one photo received, not the same one twice"
    await shot(agent, "agent-receipt")
    case_url = await agent.get_by_role("link", name=t("Open the case")).get_attribute("href")
    case_id = int(case_url.rstrip("/").rsplit("/", 1)[1])

    await agent.goto(case_url)
    assert "三组 12 号" in await agent.locator("main").inner_text(), "the address detail was kept"

    # -- the township window asks for the missing enrolment form ------------------------
    clerk = await new_page(locale="zh-CN")
    await log_in(clerk, "clerk", locale, t)
    await clerk.goto("/desk/")
    await shot(clerk, "clerk-desk")
    await clerk.get_by_role("link", name=code).click()
    supplement = clerk.locator("form.action-request_supplement")
    await supplement.locator('input[name="material"][value="enrolment_form"]').check()
    await supplement.locator('textarea[name="reason"]').fill(
        "请补交签字的参保登记表" if locale == "zh_CN" else "Please bring the signed enrolment form"
    )
    await shot(clerk, "clerk-request-supplement")
    await supplement.get_by_role("button").click()
    await clerk.wait_for_load_state()
    await shot(clerk, "clerk-supplement-requested")

    # -- the agent photographs it and hands it in --------------------------------------
    await agent.goto(f"/workbench/cases/{case_id}")
    await agent.get_by_role("heading", name=t("Materials to supplement")).wait_for()
    await agent.locator("#pick-upload-enrolment_form").set_input_files(form_scan)
    await agent.locator("#files-upload-enrolment_form .upload").wait_for()
    await settle(agent)
    await shot(agent, "agent-supplement")
    await agent.get_by_role("button", name=t("Hand in the supplement")).click()
    await agent.get_by_text(t("The supplement is handed in; the window has been told.")).wait_for()
    await shot(agent, "agent-supplement-handed-in")

    # -- the clerk accepts --------------------------------------------------------------
    await clerk.goto(f"/cases/{case_id}")
    await clerk.locator("form.action-accept").get_by_role("button").click()
    await clerk.wait_for_load_state()
    await shot(clerk, "clerk-accepted")

    # -- the district's social insurance centre approves --------------------------------
    approver = await new_page(locale="zh-CN")
    await log_in(approver, "approver", locale, t)
    await approver.goto("/desk/")
    await shot(approver, "department-desk")
    await approver.get_by_role("link", name=code).click()
    await approver.locator("form.action-approve").get_by_role("button").click()
    await approver.wait_for_load_state()
    await shot(approver, "department-approved")

    # -- the resident looks it up ---------------------------------------------------------
    resident = await new_page(locale="zh-CN")
    await resident.goto("/status/")
    if locale == "en":
        await resident.get_by_role("link", name="English").click()
        await resident.wait_for_url("**/status/")
    await resident.locator("#code").fill(code)
    await resident.locator("#last4").fill(id_number[-4:])
    await resident.get_by_role("button", name=t("Check status")).click()
    result = resident.locator("#status-result")
    await result.wait_for()
    text = await result.inner_text()
    assert t("Result issued") in text or t("Approved") in text, text
    assert name not in await resident.content() and id_number not in await resident.content()
    await shot(resident, "resident-status")
