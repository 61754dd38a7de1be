"""Cases in my area (辖区办件): every case the caller may see, newest first, by pages —
through the one scoping layer, so a township never sees another township's cases."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.cases.area import AreaFilter, cases_in_area
from core.cases.tables import Case
from core.cases.tracking import make_tracking_code
from tests.tenancy.support import bare_case, principal

MALIU = "509910101201"  # a village of 赶水镇
GANSHUI_CENTRE = "509910101000-BM"
DAGUAN_VILLAGE = "509920101201"  # 南川区
QIJIANG_SB = "509910000000-SB"


@pytest.fixture(scope="module")
async def cases(catalogue):
    made = {
        "maliu_old": await bare_case(MALIU, tasks_at=(GANSHUI_CENTRE,)),
        "maliu_new": await bare_case(MALIU, tasks_at=(GANSHUI_CENTRE,)),
        "daguan": await bare_case(DAGUAN_VILLAGE),
        "to_sb": await bare_case(MALIU, tasks_at=(QIJIANG_SB,)),
    }
    for n, case_id in enumerate(made.values(), start=1):
        code = make_tracking_code("509910101000", dt.date(2026, 11, 2), 90000 + case_id % 9000 + n)
        await Case.update({Case.tracking_code: code, Case.light: "green"}).where(Case.id == case_id)
    await Case.update({Case.light: "red"}).where(Case.id == made["maliu_old"])
    return made


def shown(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'<tr id="case-(\d+)"', html)}


async def _ids(username: str, **filters) -> list[int]:
    rows, _ = await cases_in_area(await principal(username), AreaFilter(**filters), limit=500)
    return [r["id"] for r in rows]


async def test_each_sees_their_own_part_newest_first(cases):
    clerk = await _ids("clerk")  # 赶水镇's window: its villages' cases
    assert cases["maliu_new"] in clerk and cases["maliu_old"] in clerk
    assert clerk.index(cases["maliu_new"]) < clerk.index(cases["maliu_old"])
    assert cases["daguan"] not in clerk
    clerk2 = await _ids("clerk2")
    assert cases["daguan"] in clerk2 and cases["maliu_new"] not in clerk2
    reviewer = await _ids("reviewer")  # 綦江区社保: only what is routed to it
    assert cases["to_sb"] in reviewer and cases["maliu_new"] not in reviewer
    admin = await _ids("admin")
    assert set(cases.values()) <= set(admin)


async def test_pages_go_back_by_keyset_without_repeating(cases):
    clerk = await principal("clerk")
    first, more = await cases_in_area(clerk, limit=1)
    assert more and len(first) == 1
    second, _ = await cases_in_area(clerk, AreaFilter(before=first[0]["id"]), limit=1)
    assert second[0]["id"] < first[0]["id"]


async def test_the_page_filters_and_explains_a_mistyped_code(cases, new_browser):
    browser = await new_browser()
    await browser.login("clerk")
    home = await browser.get("/")
    assert '<a href="/cases/area/">辖区办件</a>' in home.text
    page = await browser.get("/cases/area/")
    assert page.status_code == 200 and "辖区办件" in page.text
    assert {cases["maliu_new"], cases["maliu_old"]} <= shown(page.text)
    assert cases["daguan"] not in shown(page.text)

    red = await browser.get("/cases/area/", params={"light": "red"})
    assert cases["maliu_old"] in shown(red.text) and cases["maliu_new"] not in shown(red.text)

    code = (await Case.select(Case.tracking_code).where(Case.id == cases["maliu_new"]).first())[
        "tracking_code"
    ]
    found = await browser.get("/cases/area/", params={"code": f" {code[:6]}-{code[6:]} "})
    assert shown(found.text) == {cases["maliu_new"]}
    typo = code[:-1] + ("0" if code[-1] != "0" else "1")
    wrong = await browser.get("/cases/area/", params={"code": typo})
    assert wrong.status_code == 200 and "办件编码有输入错误" in wrong.text and not shown(wrong.text)

    # Another township's case cannot be reached by its code either.
    foreign = (await Case.select(Case.tracking_code).where(Case.id == cases["daguan"]).first())[
        "tracking_code"
    ]
    assert not shown((await browser.get("/cases/area/", params={"code": foreign})).text)
    assert (
        "没有符合条件的办件" in (await browser.get("/cases/area/", params={"code": foreign})).text
    )

    # Nonsense in the filters narrows nothing and breaks nothing.
    odd = await browser.get(
        "/cases/area/", params={"state": "<b>", "light": "blue", "item": "x", "before": "9" * 40}
    )
    assert odd.status_code == 200 and cases["maliu_new"] in shown(odd.text)
