"""In a real browser: text typed into a repeating group while the form section is being
re-rendered is still there after the swap (see tests/forms/test_forms_section_rerender.py).

The section's answer is held back (Playwright intercepts it) until the agent has
typed into the group entry, so the swap always lands mid-typing — no timing.
"""

from __future__ import annotations

import asyncio

from tests.helpers import DEMO_PASSWORDS

HOUSEHOLD_TRANSFER = "000112002000"  # "companions" is a repeating group


async def log_in(page, username: str) -> None:
    await page.goto("/login")
    await page.locator("#username").fill(username)
    await page.locator("#password").fill(DEMO_PASSWORDS[username])
    await page.locator("#password").press("Enter")
    await page.wait_for_load_state()


async def test_text_typed_in_a_group_entry_survives_a_section_rerender(new_page):
    page = await new_page()
    await log_in(page, "agent")
    await page.goto(f"/file/{HOUSEHOLD_TRANSFER}")
    companion = page.locator('input[name="companions[0].name"]')
    await companion.wait_for()

    arrived, release = asyncio.Event(), asyncio.Event()

    async def hold(route):
        arrived.set()
        await release.wait()
        await route.continue_()

    await page.route("**/forms/*/section", hold)
    # A change elsewhere in the form: the section is posted and re-rendered …
    await page.locator('input[name="into_household"][value="new"]').check()
    await arrived.wait()
    # … and while that request is in flight the agent types into the group entry.
    await companion.click()
    await companion.press_sequentially("褚随迁")
    await page.evaluate("document.getElementById('item-form').dataset.stale = 'yes'")
    release.set()
    await page.wait_for_function("!document.getElementById('item-form').dataset.stale")
    await page.unroute("**/forms/*/section", hold)

    assert await page.locator('input[name="companions[0].name"]').input_value() == "褚随迁"
    assert await page.locator('input[name="into_household"][value="new"]').is_checked()
