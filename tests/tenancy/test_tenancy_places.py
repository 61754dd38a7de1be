"""Address fields suggest places as the user types; a form page never lists the whole tree."""

from __future__ import annotations

import re

from core.tenancy.tables import Unit
from core.web.places import LIMIT
from tests.tenancy.support import scratch_township

PENSION = "000115002000"  # its form has an address field (household_address)


def options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', html)


async def test_the_filing_page_carries_no_list_of_places(browser, catalogue):
    await browser.login("clerk")
    page = await browser.get(f"/file/{PENSION}")
    assert page.status_code == 200
    datalist = re.search(r'<datalist id="known-places">(.*?)</datalist>', page.text, re.S)
    assert datalist is not None and options(datalist.group(1)) == []
    address = re.search(r'<input[^>]*name="household_address.unit"[^>]*>', page.text).group(0)
    assert 'hx-get="/places/"' in address and 'hx-target="#known-places"' in address


async def test_places_are_found_by_code_prefix_or_by_name(browser, catalogue):
    codes = await scratch_township(villages=30)
    await browser.login("clerk")
    town = codes["township"]
    by_code = await browser.get("/places/", params={"q": town[:9]})
    found = options(by_code.text)
    # 31 places start with the prefix (the township and its 30 villages): a page of them.
    assert len(found) == LIMIT and found[0] == town
    assert all(code.startswith(town[:9]) and len(code) == 12 for code in found)
    assert codes["centre"] not in found  # a service centre is no address
    # The address input sends its own value, by its field name.
    as_typed = await browser.get("/places/", params={"household_address.unit": codes["village2"]})
    assert options(as_typed.text) == [codes["village2"]]
    name = (await Unit.select(Unit.name).where(Unit.code == codes["village1"]).first())["name"]
    by_name = await browser.get("/places/", params={"q": name[1:]})
    assert codes["village1"] in options(by_name.text) and name in by_name.text
    in_english = await browser.get("/places/", params={"q": f"test town {int(town[6:9])}"})
    assert town in options(in_english.text)  # any case, on both engines


async def test_inactive_places_and_wildcards_find_nothing(browser, catalogue):
    codes = await scratch_township(villages=1)
    await Unit.update({Unit.active: False}).where(Unit.code == codes["village1"])
    await browser.login("clerk")
    assert options((await browser.get("/places/", params={"q": codes["village1"]})).text) == []
    for typed in ("%", "_", "%%", "", "   "):
        assert options((await browser.get("/places/", params={"q": typed})).text) == []


async def test_place_suggestions_need_a_login(browser):
    anonymous = await browser.get("/places/", params={"q": "5099"}, follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401)
    assert "<option" not in anonymous.text
