"""A township closed in a month it had cases in: its report is compiled, nobody there can
confirm it, so it is not late — the district confirms it on its behalf.

    B1  filed at 乙83一村 on 2 November 2026; 乙83镇 is closed on 20 November.

November's reports are compiled on 1 December; townships confirm by 7 December. On
10 December town A (active, unconfirmed) is late; town B is not, it is a closed unit's
report waiting for the district.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.reports import monthly
from core.reports.tables import MonthlyReport
from core.tenancy.auth import load_principal
from core.tenancy.tables import Membership, Unit
from tests.helpers import drain
from tests.reports.supervision_plugin import FIVE_DAY
from tests.reports.world import PASSWORD, Codes, act, at, file_case

COUNTY = 83
CODES = Codes(COUNTY)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture(scope="module")
async def report_ids(fixture_plugin, world, time_machine, jobs):
    w, t = world, time_machine
    a1 = await file_case(w, t, "agent_a1", CODES.village_a1, FIVE_DAY, at("2026-11-02"))
    await act(w, t, "clerk_a", a1, "accept", at("2026-11-02", 11))
    b1 = await file_case(w, t, "agent_b1", CODES.village_b1, FIVE_DAY, at("2026-11-02"))
    await act(w, t, "clerk_b", b1, "accept", at("2026-11-02", 11))
    await act(w, t, "approver", b1, "approve", at("2026-11-05"))
    t.travel(at("2026-11-20"))
    await drain(jobs)
    # Town B closes: its window and village first, then the township; its staff lose their places.
    closing = [CODES.window_b, CODES.village_b1, CODES.town_b]
    ids = [w.unit(code)["id"] for code in closing]
    await Membership.delete().where(Membership.unit.is_in(ids))
    await Unit.update({Unit.active: False}).where(Unit.code.is_in(closing))
    await monthly.compile_month(NOVEMBER, now=at("2026-12-01", 3))
    rows = await MonthlyReport.select(MonthlyReport.id, MonthlyReport.unit).where(
        MonthlyReport.period == NOVEMBER
    )
    by_unit = {r["unit"]: r["id"] for r in rows}
    return {
        "a": by_unit[w.unit(CODES.town_a)["id"]],
        "b": by_unit[w.unit(CODES.town_b)["id"]],
    }


async def login(new_browser, role: str):
    browser = await new_browser()
    await browser.login(f"rpt{COUNTY}_{role}", PASSWORD)
    return browser


def text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


async def test_a_closed_townships_report_is_not_late_but_awaits_the_district(
    report_ids, new_browser, time_machine
):
    time_machine.travel(at("2026-12-10"))  # past the deadline, 7 December
    sup = await login(new_browser, "sup_d")
    page = await sup.get("/reports/monthly/", params={"unit": CODES.district, "month": "2026-11"})
    assert page.status_code == 200
    late = re.search(r'id="late">(.*?)</p>', page.text, re.S)
    assert late and f"甲{COUNTY}镇" in text(late.group(1))
    assert f"乙{COUNTY}镇" not in text(late.group(1))  # closed: nobody there could confirm
    assert "1 个乡镇" in text(late.group(1))
    closed = re.search(r'id="closed-units">(.*?)</p>', page.text, re.S)
    assert closed and f"乙{COUNTY}镇" in text(closed.group(1))
    row = re.search(
        rf'<tr class="">\s*<th scope="row"><a href="/reports/monthly/{report_ids["b"]}">.*?</tr>',
        page.text,
        re.S,
    )
    assert row and "单位撤销" in text(row.group(0)) and "逾期" not in text(row.group(0))


async def test_the_district_confirms_a_closed_townships_report_on_its_behalf(
    report_ids, new_browser, time_machine, world
):
    time_machine.travel(at("2026-12-10"))
    sup = await login(new_browser, "sup_d")
    # The district confirms nothing for an open township: that is the township's own duty.
    refused = await sup.post_form(f"/reports/monthly/{report_ids['a']}/confirm", {"note": ""})
    assert refused.status_code == 403
    page = await sup.get(f"/reports/monthly/{report_ids['b']}")
    assert 'id="unit-closed"' in page.text and 'id="confirm"' in page.text
    done = await sup.post_form(f"/reports/monthly/{report_ids['b']}/confirm", {"note": "代为确认"})
    assert done.status_code == 200 and 'id="confirmed"' in done.text
    report = await MonthlyReport.select().where(MonthlyReport.id == report_ids["b"]).first()
    assert report["state"] == "confirmed"
    assert report["confirmed_by_name"] == f"测试{COUNTY}区督办"
    overview = await sup.get(
        "/reports/monthly/", params={"unit": CODES.district, "month": "2026-11"}
    )
    assert 'id="closed-units"' not in overview.text
    # A township supervisor of another township may not confirm for the closed one.
    principal = await load_principal(world.who("sup_a").staff_id)
    assert not monthly.access.may_confirm(principal, {**world.unit(CODES.town_b), "active": False})
