"""In English, places and lists read as English: the unit's English name, lists run
together as English lists them (", … and") — and the Chinese pages keep their Chinese
names and "、… 和".

A village agent reads "Items that Maliu Village may file" above every resident's item
search, the service guide lists where an item can be filed, the bundle form lists the
services it files, the city admin reads each level's allowed unit kinds.
"""

from __future__ import annotations

import re

import pytest

from tests.ui import flows
from tests.ui.conftest import speaking

CJK = re.compile(r"[\u3001\u4e00-\u9fff]")

# Per locale: what the page must say, and a Chinese form it must not (in English).
EXPECTED = {
    "en": {
        "unit": "Maliu Village may file",
        "levels": "Village agency point, Township, and District",
    },
    "zh_CN": {"unit": "麻柳村", "levels": "村社区代办点、乡镇街道和区县"},
}


def text_of(html: str, pattern: str) -> str:
    match = re.search(pattern, html, re.S)
    assert match, pattern
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_the_agents_own_village_is_named_in_the_pages_language(people, locale):
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "吴十一", flows.new_id_number("19750505"), flows.new_phone()
    )
    with speaking(agent, locale):
        for url in (f"/workbench/residents/{resident_id}", "/file/", "/bundles/"):
            page = await agent.get(url)
            assert page.status_code == 200, (url, page.text[:300])
            hint = text_of(page.text, r'<p class="muted">([^<]*(?:may file|麻柳村)[^<]*)')
            assert EXPECTED[locale]["unit"] in hint, (url, hint)
            if locale == "en":
                assert not CJK.search(hint), (url, hint)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_the_guides_accepting_levels_are_listed_in_the_pages_language(new_browser, locale):
    reader = await new_browser()
    reader.client.cookies.set("lang", locale)
    page = await reader.get("/guide/000125001000")  # filed at village, township, district
    assert page.status_code == 200
    where = text_of(page.text, r"<dd>([^<]*(?:District|区县)[^<]*)</dd>")
    assert where == EXPECTED[locale]["levels"]


async def test_the_levels_allowed_kinds_are_listed_with_commas_in_english(people):
    with speaking(await people("admin"), "en") as admin:
        page = await admin.get("/admin/levels/")
    assert page.status_code == 200
    allowed = re.findall(r"Allowed kinds:\s*([^\n<]*)", page.text)
    assert allowed and all("、" not in line for line in allowed), allowed
    assert any(", " in line for line in allowed), allowed


async def test_the_item_texts_of_guide_and_filing_form_are_english_in_english(people):
    """The materials' notes and conditions, the result's validity and the reason to come
    in: catalogue texts an English-speaking agent reads on the guide and the form."""
    with speaking(await people("agent"), "en") as agent:
        guide = (await agent.get("/guide/000125001000")).text
        resident_id = await flows.register(
            agent, "Qian Shier", flows.new_id_number("19760606"), flows.new_phone()
        )
        form = (await agent.get(f"/workbench/residents/{resident_id}/file/000115002000")).text
        visit = (await agent.get("/guide/000112001000")).text  # the applicant must come in
    facts = text_of(guide, r'<section class="card" aria-labelledby="facts">(.*?)</section>')
    materials = text_of(guide, r'<section class="card" aria-labelledby="materials">(.*?)</section>')
    assert "(valid: Indefinite)" in facts, facts
    assert "The agent checks the original on the spot and hands it back" in materials
    assert "If applicable: When signing the tax" in materials
    assert not CJK.search(materials), materials
    helps = re.findall(r'<p class="help">([^<]*)</p>', form)
    assert "The agent can fill it in directly in the system; no paper form is needed" in helps
    assert not any(CJK.search(h) for h in helps), helps
    visits = text_of(visit, r"<dt>On-site visits</dt><dd>(.*?)</dd>")
    assert visits.startswith("1 visit — The applicant must come") and not CJK.search(visits)
