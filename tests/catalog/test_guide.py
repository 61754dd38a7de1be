"""The public service guide (办事指南): no login, searchable by name, keyword, pinyin
initials, full pinyin and English, filtered by what a village's agency point may file,
and every item's "five publics" — basis, materials, fees, time limits, procedure."""

from __future__ import annotations

import msgspec
import pytest

from core.catalog.guide import normalise, search
from core.catalog.registry import get_catalog

PENSION = "000115002000"
MALIU = "509910101201"


@pytest.mark.parametrize(
    "query",
    ["养老", "cxjm", "CXJMJBYL", "ylbx", "yanglao", "Pension", "ＣＸＪＭ", "cb dj", "000115002000"],
)
def test_search_finds_the_pension_enrolment(query):
    found = [item.code for item in search(list(get_catalog().items.values()), query)]
    assert PENSION in found


def test_search_ranks_name_matches_first_and_finds_nothing_for_nonsense():
    items = list(get_catalog().items.values())
    assert search(items, "养老")[0].name.find("养老") >= 0
    assert search(items, "zzzzqqq") == []
    assert search(items, "") == items
    assert normalise("Xi'an  ＡＢ") == "xianab"


async def test_the_guide_lists_and_searches_without_login(browser):
    page = await browser.get("/guide/")
    assert page.status_code == 200
    assert "办事指南" in page.text and f"/guide/{PENSION}" in page.text
    found = await browser.get("/guide/", params={"q": "ylbx"})
    assert f"/guide/{PENSION}" in found.text
    assert "代开增值税普通发票" not in found.text  # a tax item does not match
    partial = await browser.get("/guide/", params={"q": "ylbx"}, headers={"hx-request": "true"})
    assert partial.status_code == 200 and 'id="guide-results"' in partial.text


async def test_hostile_search_input_is_shown_as_text(browser):
    hostile = "<script>alert(1)</script>" + "养" * 500
    page = await browser.get("/guide/", params={"q": hostile, "village": "' OR 1=1 --"})
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "没有符合条件的事项" in page.text


async def test_the_village_filter_shows_what_its_agency_point_files(browser):
    page = await browser.get("/guide/", params={"village": MALIU})
    assert page.status_code == 200 and "麻柳村" in page.text
    assert f"/guide/{PENSION}?village={MALIU}" in page.text
    every = len(get_catalog().items)
    proxy = [
        i for i in get_catalog().items.values() if "village" in i.accept_levels and i.proxy_allowed
    ]
    assert f"可办理 {len(proxy)} 项（共 {every} 项）" in page.text


async def test_an_item_page_publishes_the_five_publics(browser):
    page = await browser.get(f"/guide/{PENSION}", params={"village": MALIU})
    assert page.status_code == 200
    text = page.text
    for expected in (
        "城乡居民基本养老保险参保登记",  # name
        "《中华人民共和国社会保险法》",  # legal basis
        "居民身份证或户口簿",  # materials
        "可用已有电子证照代替",  # an e-licence stands in
        "5个工作日",  # committed limit
        "15个工作日",  # statutory limit
        "无需到现场",  # visits
        "不收费",  # fees
        "乡镇便民服务中心受理",  # procedure
        "麻柳村代办点可以为您代办此事项",  # where to go, for this village
        "赶水镇便民服务中心",  # the accepting unit found in the tree
    ):
        assert expected in text, expected


async def test_an_item_page_in_english_and_an_unknown_item(new_browser):
    resident = await new_browser()
    resident.client.cookies.set("lang", "en")
    page = await resident.get(f"/guide/{PENSION}")
    assert "Urban-rural resident basic pension insurance enrolment" in page.text
    assert "Legal basis" in page.text and "Materials" in page.text and "5 working days" in page.text
    missing = await resident.get("/guide/000000000000")
    assert missing.status_code == 404


def _selects(html: str) -> list[list[str]]:
    """The cascade's drop-downs as lists of option texts (the chosen one marked with *)."""
    import re

    fieldset = html[html.index('id="guide-places"') : html.index("</fieldset>")]
    return [
        [
            ("*" if " selected" in attrs else "") + text.strip()
            for attrs, text in re.findall(r"<option([^>]*)>([^<]*)</option>", select)
        ]
        for select in fieldset.split("<select")[1:]
    ]


async def test_the_village_is_chosen_step_by_step_never_from_the_whole_city(browser):
    first = _selects((await browser.get("/guide/")).text)
    assert len(first) == 1  # districts only: the city is the only root and is not asked for
    assert first[0][1:] == ["綦江区", "南川区"]
    assert not any("村" in option for option in first[0])

    district = _selects((await browser.get("/guide/", params={"place": "509910000000"})).text)
    assert [o for o in district[0] if o.startswith("*")] == ["*綦江区"]
    assert "赶水镇" in district[1] and "麻柳村" not in district[1]
    assert not any("税务局" in o or "服务中心" in o for o in district[1])  # places, not offices

    page = await browser.get(
        "/guide/", params=[("place", "509910000000"), ("place", "509910101000"), ("place", MALIU)]
    )
    steps = _selects(page.text)
    assert [next(o for o in s if o.startswith("*")) for s in steps] == [
        "*綦江区",
        "*赶水镇",
        "*麻柳村",
    ]
    assert f"/guide/{PENSION}?village={MALIU}" in page.text  # the items of that village

    # Changing the district drops the township and village chosen under the old one.
    moved = await browser.get(
        "/guide/", params=[("place", "509920000000"), ("place", "509910101000"), ("place", MALIU)]
    )
    steps = _selects(moved.text)
    assert len(steps) == 2 and not any(o.startswith("*") for o in steps[1])
    assert "麻柳村" not in moved.text

    # A link to a village shows its whole chain chosen.
    linked = _selects((await browser.get("/guide/", params={"village": MALIU})).text)
    assert [next(o for o in s if o.startswith("*")) for s in linked] == [
        "*綦江区",
        "*赶水镇",
        "*麻柳村",
    ]


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("zh_CN", "不计入办理时限的特别程序：听证和公示"),
        ("en", "Not counted in the time limit: Hearing and Public notice"),
    ],
)
async def test_the_procedures_outside_the_time_limit_are_named_in_the_readers_language(
    new_browser, monkeypatch, locale, expected
):
    item = get_catalog().items[PENSION]
    suspending = msgspec.structs.replace(item, excluded_procedures=("hearing", "public_notice"))
    monkeypatch.setitem(get_catalog().items, PENSION, suspending)
    reader = await new_browser()
    reader.client.cookies.set("lang", locale)
    page = await reader.get(f"/guide/{PENSION}")
    assert page.status_code == 200
    assert expected in page.text
    assert "public_notice" not in page.text
