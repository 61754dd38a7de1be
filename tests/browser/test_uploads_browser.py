"""Photos on the filing form, on a tablet: each is sent once, as soon as it is taken.

After the upload its file input is emptied, so that submitting the form does not send
the photo a second time over the village's slow line, and the agent who removed a photo
by mistake can choose the same one again.
"""

from __future__ import annotations

from core.i18n import gettext
from tests.browser.test_walkthrough import log_in, settle
from tests.ui import flows, media


async def test_a_photo_is_sent_once_and_can_be_chosen_again_after_removing_it(new_page, tmp_path):
    def t(message: str) -> str:
        return gettext("zh_CN", message)

    photo = tmp_path / "id-card.jpg"
    photo.write_bytes(media.jpeg(2400, 1600))
    size = photo.stat().st_size
    agent = await new_page()
    await agent.set_viewport_size({"width": 800, "height": 1280})
    await log_in(agent, "agent", "zh_CN", t)
    await agent.goto("/workbench/residents/new")
    await agent.locator("#f-name").fill("蒋廿三")
    await agent.locator("#f-id_number").fill(flows.new_id_number("19650505"))
    await agent.locator("#f-phone").fill(flows.new_phone())
    await agent.get_by_role("button", name=t("Register"), exact=True).click()
    await agent.get_by_text(t("The resident is registered.")).wait_for()
    resident_url = agent.url.split("?")[0]
    await agent.goto(f"{resident_url}/file/{flows.PENSION}/")
    await agent.locator("#item-form").wait_for()

    files = agent.locator("#files-upload-id_card .upload")
    await agent.locator("#pick-upload-id_card").set_input_files(photo)
    await files.locator("img").wait_for()
    await settle(agent)
    # Removed by mistake, then chosen again: the same file goes up again.
    await files.get_by_role("button", name=t("Remove")).click()
    await files.wait_for(state="detached")
    await agent.locator("#pick-upload-id_card").set_input_files(photo)
    await files.locator("img").wait_for(timeout=5_000)
    await settle(agent)
    assert await files.count() == 1

    # Submitting sends the page's reference to the photo, not the photo again.
    async with agent.expect_request(lambda r: r.method == "POST" and "/file/" in r.url) as sent:
        await agent.get_by_role("button", name=t("Submit"), exact=True).click()
    length = int((await (await sent.value).all_headers())["content-length"])
    assert length < size / 4, f"the form sent {length} bytes for a {size}-byte photo"
