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
    assert "kinds" not in address  # an address field asks for places only


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


# -- kinds=all: the seal form's suggestions (service centres and departments too) ----------

QIJIANG_SB = "509910000000-SB"  # 綦江区社会保险事务中心, a department under the district
NANCHUAN_SB = "509920000000-SB"  # 南川区社会保险事务中心
NANCHUAN_BM = "509920101000-BM"  # 大观镇便民服务中心
EVERY_KIND = {"kinds": "all"}


def labels(html: str) -> dict[str, str]:
    return dict(re.findall(r'<option value="([^"]*)">([^<]*)</option>', html))


async def test_every_kind_is_suggested_to_an_admin_who_asks_with_name_and_code(browser, catalogue):
    codes = await scratch_township(villages=30)
    town, centre = codes["township"], codes["centre"]
    await browser.login("admin")
    by_prefix = await browser.get("/places/", params={"seal.unit": town[:9], **EVERY_KIND})
    found = labels(by_prefix.text)
    # The township, its service centre and its first villages, in tree order: a page of them.
    assert list(found)[:2] == [town, centre] and len(found) == LIMIT
    assert found[centre] == f"试验{town[6:9]}镇便民服务中心 · {centre}"
    assert found[town] == f"试验{town[6:9]}镇 · {town}"  # the township is told apart by its code
    by_suffix = await browser.get("/places/", params={"q": f"{town}-bm", **EVERY_KIND})
    assert list(labels(by_suffix.text)) == [centre]  # any case, on both engines
    by_name = await browser.get("/places/", params={"q": f"{town[6:9]}镇便民", **EVERY_KIND})
    assert list(labels(by_name.text)) == [centre]
    department = await browser.get("/places/", params={"q": "社会保险事务中心", **EVERY_KIND})
    assert labels(department.text)[QIJIANG_SB] == f"綦江区社会保险事务中心 · {QIJIANG_SB}"
    assert NANCHUAN_SB in labels(department.text)  # the city admin reaches every district
    by_code = await browser.get("/places/", params={"q": "509910000000-sb", **EVERY_KIND})
    assert list(labels(by_code.text)) == [QIJIANG_SB]
    full_width = QIJIANG_SB.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    wide = await browser.get("/places/", params={"q": full_width, **EVERY_KIND})
    assert list(labels(wide.text)) == [QIJIANG_SB]  # a Chinese input method's full-width code

    # An address field's request with the same text: places only, and no code in the label.
    for typed in (town, f"{town[6:9]}镇便民", "社会保险事务中心", "509910000000-SB"):
        address = await browser.get("/places/", params={"household_address.unit": typed})
        assert centre not in address.text and QIJIANG_SB not in address.text
        assert NANCHUAN_SB not in address.text and " · " not in address.text
    assert options((await browser.get("/places/", params={"q": town})).text)[0] == town
    # Anything but kinds=all is an address field's request.
    other = await browser.get("/places/", params={"q": town, "kinds": "every"})
    assert centre not in options(other.text) and town in options(other.text)


async def test_every_kind_stays_inside_the_callers_admin_scope(new_browser, catalogue):
    codes = await scratch_township(villages=1)
    await Unit.update({Unit.active: False}).where(Unit.code == codes["centre"])
    district = await new_browser()
    await district.login("district")  # 綦江区's admin
    offices = labels(
        (await district.get("/places/", params={"q": "便民服务中心", **EVERY_KIND})).text
    )
    assert "509910101000-BM" in offices  # 赶水镇, in 綦江区
    assert NANCHUAN_BM not in offices and codes["centre"] not in offices  # 南川区; deactivated
    assert all(code.startswith("509910") for code in offices)
    for typed in ("5099", "社会保险事务中心", "大观镇"):
        seen = labels((await district.get("/places/", params={"q": typed, **EVERY_KIND})).text)
        assert NANCHUAN_SB not in seen and NANCHUAN_BM not in seen and "509920000000" not in seen
    assert QIJIANG_SB in labels(
        (await district.get("/places/", params={"q": "509910000000", **EVERY_KIND})).text
    )
    for typed in ("%", "_", "-", "   "):
        answer = await district.get("/places/", params={"q": typed, **EVERY_KIND})
        assert options(answer.text) == []

    # A clerk reaches no unit as an admin: asking for every kind gets the public places.
    clerk = await new_browser()
    await clerk.login("clerk")
    asked = await clerk.get("/places/", params={"q": "便民服务中心", **EVERY_KIND})
    assert options(asked.text) == []
    asked = await clerk.get("/places/", params={"q": "5099101010", **EVERY_KIND})
    found = options(asked.text)
    assert "509910101000" in found and "509910101000-BM" not in found
    assert " · " not in asked.text
