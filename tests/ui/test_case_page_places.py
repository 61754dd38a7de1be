"""An address on the clerk's case page reads as a place name, as on the agent's page,
not as its unit code."""

from __future__ import annotations

import html
import re

from tests.ui import flows
from tests.ui.conftest import speaking

VILLAGE = flows.PENSION_FORM["household_address.unit"]
DETAIL = flows.PENSION_FORM["household_address.detail"]


def _address(page: str, label: str) -> str:
    """The text shown beside the ``label`` of the form's answers."""
    found = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>(.*?)</dd>", page, re.S)
    assert found, f"no {label!r} on the page"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


async def test_the_clerk_sees_the_address_by_its_place_name(people):
    agent, clerk = await people("agent"), await people("clerk")
    resident_id = await flows.register(
        agent, "钱十八", flows.new_id_number("19660707"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    case_id, _ = await flows.file_pension(agent, resident_id, {})

    for browser, url in ((clerk, f"/cases/{case_id}"), (agent, f"/workbench/cases/{case_id}")):
        page = await browser.get(url)
        assert page.status_code == 200
        assert _address(page.text, "户籍所在地") == f"麻柳村 {DETAIL}"
        with speaking(browser, "en"):
            page = await browser.get(url)
        shown = _address(page.text, "Place of household registration")
        assert shown == f"Maliu Village {DETAIL}" and VILLAGE not in shown
