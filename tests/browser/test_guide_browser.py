"""The public service guide in a real browser: a resident narrows the list to what
their village's agency point can file, choosing district, township and village in
turn — each drop-down appears when the one above it is chosen (htmx), no login."""

from __future__ import annotations

import re

PENSION = "000115002000"


async def test_a_resident_chooses_their_village_step_by_step(new_page):
    page = await new_page()
    await page.goto("/guide/")
    places = page.locator("#guide-places select")
    assert await places.count() == 1
    every = await page.locator("#guide-results li.card").count()

    await places.nth(0).select_option(label="綦江区")
    await page.wait_for_function("document.querySelectorAll('#guide-places select').length == 2")
    await places.nth(1).select_option(label="赶水镇")
    await page.wait_for_function("document.querySelectorAll('#guide-places select').length == 3")
    await places.nth(2).select_option(label="麻柳村")
    await page.wait_for_url(re.compile(r".*place=509910101201.*"))
    summary = page.locator("#guide-results p.muted").first
    await summary.wait_for()
    text = await summary.inner_text()
    filed_here = await page.locator("#guide-results li.card").count()
    assert f"{filed_here} 项（共 {every} 项）" in text and "麻柳村" in text
    link = page.locator(f'#guide-results a[href="/guide/{PENSION}?village=509910101201"]')
    assert await link.count() == 1

    # Back to another district: the township and village under the old one are gone.
    await places.nth(0).select_option(label="南川区")
    await page.wait_for_function(
        "document.querySelectorAll('#guide-places select').length == 2"
        " && !document.querySelector('#guide-results p.muted').textContent.includes('麻柳村')"
    )
    assert await page.locator("#guide-results li.card").count() == every
