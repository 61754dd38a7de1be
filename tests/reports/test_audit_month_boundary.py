"""An auditor's check of November 2026: every figure a supervisor sees, against values
worked out by hand from the cases, across a month boundary, a supplement, a
withdrawal, an overdue case, a township deactivated mid-month and a second district.

Calendar: Sat 31 Oct and Sun 1 Nov are off; 2–6 and 9–13 Nov are working days;
Tue 1 Dec is the first working day of December, so November is compiled then and
confirmed by the 5th working day, Mon 7 Dec. Times are site-local (Asia/Shanghai).
Items: F = 5 working days, no visit; T3 = 3 days, one visit; T2 = 2 days, two visits.

    case  where    item  filed              accepted     decided             handling  due     on time
    M1    A1       F     31 Oct 23:30 (*)   2 Nov        approved 6 Nov      4         9 Nov   yes
    M2    B1       T3    1 Nov 00:30 (*)    2 Nov        approved 10 Nov     4 (**)    9 Nov   no
    M3    A1       T2    2 Nov              —  withdrawn 3 Nov before acceptance
    M4    A win    T3    2 Nov              2 Nov        —  due 5 Nov, red when swept on 10 Nov
    M5    C win    F     3 Nov              3 Nov        approved 4 Nov      1         10 Nov  yes

(*) 31 Oct 23:30 in Shanghai is 15:30 UTC, still October; 1 Nov 00:30 is 31 Oct
16:30 UTC, already November. A figure keyed on the UTC date would swap them.
(**) supplement asked on Tue 3 Nov, materials back Thu 5 Nov: 4 and 5 Nov do not
count. Counted days 3, 6, 9, 10 Nov: 4; the third counted day is 9 Nov.

Town C (with its window) is deactivated on 16 Nov; town D was deactivated in
October and has no case. Another district (county 87) files N1 on 2 Nov.

November, district 86: filed 4 (M2–M5), 2 by agents; accepted 4 (M1, M2, M4, M5);
finished 3 (M1, M2, M5), all approved, 2 on time; handling 4 + 4 + 1 = 9, average
3, 90th percentile 4; at most one trip 3 of 3; no trip 2 of 3; open now 1 (M4),
overdue now 1 (M4). October: filed 1 (M1), nothing else.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from core.cases.sweep import run_sweep
from core.cases.tables import Case
from core.reports import figures, monthly
from core.reports.tables import MonthlyReport
from core.reviews import rating
from core.tenancy.auth import load_principal
from core.tenancy.tables import Membership, Staff, Unit
from core.tenancy.units_import import import_units
from tests.helpers import drain
from tests.reports.supervision_plugin import FIVE_DAY, THREE_DAY, TWO_DAY
from tests.reports.world import PASSWORD, Codes, act, at, build_world, file_case

COUNTY = 86
CODES = Codes(COUNTY)
OTHER = Codes(87)
TOWN_C = f"5099{COUNTY}103000"
WINDOW_C = f"{TOWN_C}-BM"
TOWN_D = f"5099{COUNTY}104000"
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))

EXTRA_UNITS = f"""code,name,name_en,kind,level,parent_code
{TOWN_C},丙{COUNTY}镇,Town C{COUNTY},township,township,{CODES.district}
{WINDOW_C},丙{COUNTY}镇便民服务中心,Town C{COUNTY} Service Centre,service_centre,township,{TOWN_C}
{TOWN_D},丁{COUNTY}镇,Town D{COUNTY},township,township,{CODES.district}
"""


async def _extra_units_and_clerk(world) -> None:
    """Towns C and D, and a window clerk at town C's window."""
    if not await Unit.exists().where(Unit.code == TOWN_C):
        report = await import_units(EXTRA_UNITS, source="audit tests")
        assert report.ok, [p.text("en") for p in report.errors]
    rows = await Unit.select(Unit.id, Unit.code, Unit.path, Unit.name).where(
        Unit.code.is_in([TOWN_C, WINDOW_C, TOWN_D])
    )
    world.units.update({row["code"]: row for row in rows})
    username = world.username("clerk_c")
    staff = await Staff.select(Staff.id).where(Staff.username == username).first()
    if staff is None:
        from core.tenancy.auth import hash_password

        staff = (
            await Staff.insert(
                Staff(
                    username=username,
                    display_name=f"丙{COUNTY}镇窗口",
                    password_hash=hash_password(PASSWORD),
                )
            ).returning(Staff.id)
        )[0]
        await Membership.insert(
            Membership(staff=staff["id"], unit=world.unit(WINDOW_C)["id"], role="window_clerk")
        )
    world.people[username] = await load_principal(staff["id"])


@pytest.fixture(scope="module")
async def cases(fixture_plugin, world, time_machine, jobs):
    w, t = world, time_machine
    await _extra_units_and_clerk(w)
    await Unit.update({Unit.active: False}).where(Unit.code == TOWN_D)  # deactivated in October
    c = {}
    c["m1"] = await file_case(
        w, t, "agent_a1", CODES.village_a1, FIVE_DAY, at("2026-10-31", 23, 30)
    )
    c["m2"] = await file_case(
        w, t, "agent_b1", CODES.village_b1, THREE_DAY, at("2026-11-01", 0, 30), resident=4
    )
    await act(w, t, "clerk_a", c["m1"], "accept", at("2026-11-02", 10))
    await act(w, t, "clerk_b", c["m2"], "accept", at("2026-11-02", 11))
    c["m3"] = await file_case(w, t, "agent_a1", CODES.village_a1, TWO_DAY, at("2026-11-02", 9))
    c["m4"] = await file_case(w, t, "clerk_a", CODES.window_a, THREE_DAY, at("2026-11-02", 10))
    await act(w, t, "clerk_a", c["m4"], "accept", at("2026-11-02", 10, 30))
    await act(w, t, "agent_a1", c["m3"], "withdraw", at("2026-11-03", 9), reason="不办了")
    await act(
        w,
        t,
        "approver",
        c["m2"],
        "request_supplement",
        at("2026-11-03", 10),
        materials=["id_card"],
        reason="身份证复印件不清晰",
    )
    c["m5"] = await file_case(w, t, "clerk_c", WINDOW_C, FIVE_DAY, at("2026-11-03", 10))
    await act(w, t, "clerk_c", c["m5"], "accept", at("2026-11-03", 11))
    await act(w, t, "approver", c["m5"], "approve", at("2026-11-04", 10))
    await act(w, t, "agent_b1", c["m2"], "supply", at("2026-11-05", 10))
    await act(w, t, "approver", c["m1"], "approve", at("2026-11-06", 10))
    await act(w, t, "approver", c["m2"], "approve", at("2026-11-10", 10))
    await run_sweep(now=at("2026-11-10", 10, 30))  # M4 overdue since 6 Nov
    other = await build_world(OTHER)
    c["n1"] = await file_case(
        other, t, "agent_a1", OTHER.village_a1, FIVE_DAY, at("2026-11-02", 10)
    )
    # Town C closes mid-month: its window first, then the township.
    await Unit.update({Unit.active: False}).where(Unit.code.is_in([WINDOW_C, TOWN_C]))
    # Ratings given after the decision, either side of midnight at the month's end.
    for key, moment, level in (
        ("m1", at("2026-11-30", 23, 45), 5),
        ("m5", at("2026-12-01", 0, 15), 2),
    ):
        t.travel(moment)
        case = await Case.select().where(Case.id == c[key]).first()
        await rating.rate_online(case, rating.Rating(overall=level), channel="link")
    t.travel(at("2026-12-01", 1))
    await drain(jobs)
    return c


async def login(new_browser, role: str):
    browser = await new_browser()
    await browser.login(f"rpt{COUNTY}_{role}", PASSWORD)
    return browser


def text(fragment: str) -> str:
    """What the reader sees of an HTML fragment: tags dropped, white space folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", fragment)).strip()


def cells_of(row_html: str) -> list[str]:
    return [text(c) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)]


def kpis(html: str) -> dict[str, str]:
    return {
        name: text(value)
        for name, value in re.findall(r'id="kpi-([a-z0-9-]+)">(.*?)</dd>', html, re.S)
    }


async def test_the_month_a_case_counts_in_is_the_site_local_one(cases, world):
    october = await figures.totals(world.path(CODES.district), *OCTOBER)
    assert (october.filed, october.filed_proxy, october.accepted, october.finished) == (1, 1, 0, 0)
    november = await figures.totals(world.path(CODES.district), *NOVEMBER)
    assert (november.filed, november.filed_proxy, november.accepted) == (4, 2, 4)
    assert (november.finished, november.approved, november.denied, november.on_time) == (3, 3, 0, 2)
    assert november.handling_sum == 9 and dict(november.histogram) == {1: 1, 4: 2}
    assert (november.visits_le1, november.visits_0) == (3, 2)
    assert (november.open_now, november.red_now) == (1, 1)
    assert (november.reviews, november.reviews_good, november.score_sum) == (1, 1, 5)
    december = await figures.totals(
        world.path(CODES.district), date(2026, 12, 1), date(2026, 12, 31)
    )
    assert (december.filed, december.finished, december.reviews, december.reviews_bad) == (
        0,
        0,
        1,
        1,
    )
    places = await figures.by_child(world.path(CODES.town_a), *NOVEMBER)
    a1, window = places[world.path(CODES.village_a1)], places[world.path(CODES.window_a)]
    assert (a1.filed, a1.filed_proxy, a1.finished) == (1, 1, 1)  # M3 filed, M1 decided here
    assert (window.filed, window.filed_proxy, window.red_now) == (1, 0, 1)  # M4
    assert world.path(CODES.village_a2) not in places
    b = await figures.totals(world.path(CODES.town_b), *NOVEMBER)
    assert (b.filed, b.finished, b.on_time, b.handling_sum) == (1, 1, 0, 4)  # M2: paused 2 days


async def test_the_dashboard_shows_the_hand_computed_figures(cases, new_browser):
    sup = await login(new_browser, "sup_d")
    page = await sup.get(
        "/reports/", params={"unit": CODES.district, "start": "2026-11-01", "end": "2026-11-30"}
    )
    assert page.status_code == 200, page.text
    k = kpis(page.text)
    assert (k["filed"], k["accepted"], k["finished"]) == ("4", "4", "3")
    assert k["on-time"] == "2 (66.7%)" and k["red"] == "1" and k["open"] == "1"
    assert (k["avg"], k["p90"], k["le1"], k["zero"]) == ("3", "4", "100.0%", "66.7%")
    assert k["proxy"] == "50.0%" and k["satisfaction"] == "100.0% （1 条评价）"
    # Each township's row, and the rows add up to the totals.
    table = re.search(r'<table id="children">(.*?)</table>', page.text, re.S).group(1)
    rows = {
        cells[0]: cells[1:]
        for cells in (cells_of(r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S))
        if cells and cells[0] not in ("单位",)
    }
    assert rows[f"甲{COUNTY}镇"][:4] == ["2", "2", "1", "100.0%"]
    assert rows[f"乙{COUNTY}镇"][:4] == ["1", "1", "1", "0.0%"]
    assert rows[f"丙{COUNTY}镇"][:4] == ["1", "1", "1", "100.0%"]
    assert rows[f"丁{COUNTY}镇"][:4] == ["0", "0", "0", "—"]  # nothing finished: no rate
    for column, total in ((0, 4), (1, 4), (2, 3), (4, 1)):
        assert sum(int(r[column]) for r in rows.values()) == total, column


async def test_a_unit_without_cases_shows_no_rate_rather_than_zero(cases, new_browser):
    sup = await login(new_browser, "sup_d")
    page = await sup.get(
        "/reports/",
        params={"unit": CODES.village_a2, "start": "2026-11-01", "end": "2026-11-30"},
    )
    assert page.status_code == 200
    k = kpis(page.text)
    assert k["filed"] == "0" and k["on-time"] == "0 (—)" and k["le1"] == "—"
    assert k["avg"] == "—" and k["p90"] == "—" and k["satisfaction"].startswith("—")


async def test_the_red_list_holds_what_the_overdue_figure_counts(cases, new_browser):
    sup = await login(new_browser, "sup_d")
    page = await sup.get("/reports/red/", params={"unit": CODES.district})
    assert page.status_code == 200
    listed = re.findall(r'id="red-(\d+)"', page.text)
    assert listed == [str(cases["m4"])]


async def test_a_district_supervisor_sees_only_their_district(cases, new_browser):
    sup = await login(new_browser, "sup_d")
    for url in ("/reports/", "/reports/red/", "/reports/monthly/", "/reports/monthly/export/csv"):
        refused = await sup.get(url, params={"unit": OTHER.district, "month": "2026-11"})
        assert refused.status_code == 404, url
    mine = await figures.totals(
        (await Unit.select(Unit.path).where(Unit.code == OTHER.district).first())["path"],
        *NOVEMBER,
    )
    assert mine.filed == 1  # N1 is counted in its own district, not in district 86


def _export(response) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return {"header": rows[0], **{r[2]: r for r in rows[1:]}}


async def test_before_compilation_the_export_shows_no_figures_like_the_page(cases, new_browser):
    sup = await login(new_browser, "sup_d")
    query = {"unit": CODES.district, "month": "2026-11"}
    page = await sup.get("/reports/monthly/", params=query)
    row = re.search(rf"<tr[^>]*>\s*<th scope=\"row\">甲{COUNTY}镇</th>(.*?)</tr>", page.text, re.S)
    assert "未生成" in row.group(1) and cells_of(row.group(1))[-1] == "—"
    exported = _export(await sup.get("/reports/monthly/export/csv", params=query))
    filed = exported["header"].index("申请量")
    assert exported[f"甲{COUNTY}镇"][filed:] == [""] * (len(exported["header"]) - filed)


async def test_a_township_closed_mid_month_is_reported_for_the_month(cases, world):
    await monthly.compile_month(date(2026, 11, 1), now=at("2026-12-01", 3))
    reports = {
        r["unit"]: r["figures"]
        for r in await MonthlyReport.select(MonthlyReport.unit, MonthlyReport.figures)
        .where(MonthlyReport.period == date(2026, 11, 1))
        .output(load_json=True)
    }
    c = reports.get(world.unit(TOWN_C)["id"])
    assert c is not None, "town C had a case in November but no report"
    assert (c["filed"], c["accepted"], c["finished"], c["on_time"]) == (1, 1, 1, 1)
    assert world.unit(TOWN_D)["id"] not in reports  # closed before November, nothing to report
    assert c["reviews"] == 0  # M5 was rated on 1 December
    a = reports[world.unit(CODES.town_a)["id"]]
    assert (a["filed"], a["finished"], a["red_now"], a["open_now"]) == (2, 1, 1, 1)
    assert (a["reviews"], a["reviews_good"]) == (1, 1)  # M1, rated at 23:45 on 30 November


async def test_the_district_overview_lists_what_the_month_had(cases, new_browser, time_machine):
    time_machine.travel(at("2026-12-10"))  # past the deadline, 7 December
    sup = await login(new_browser, "sup_d")
    page = await sup.get("/reports/monthly/", params={"unit": CODES.district, "month": "2026-11"})
    assert page.status_code == 200
    assert f"丙{COUNTY}镇" in page.text
    assert f"丁{COUNTY}镇" not in page.text  # closed in October: it has no November to report


async def test_the_export_totals_equal_the_district_and_its_time_is_local(
    cases, new_browser, time_machine, world
):
    town = await login(new_browser, "sup_a")
    report = (
        await MonthlyReport.select(MonthlyReport.id)
        .where(
            (MonthlyReport.unit == world.unit(CODES.town_a)["id"])
            & (MonthlyReport.period == date(2026, 11, 1))
        )
        .first()
    )
    time_machine.travel(at("2026-12-01", 23, 30))  # 15:30 UTC
    done = await town.post_form(f"/reports/monthly/{report['id']}/confirm", {"note": "已核对"})
    assert done.status_code == 200 and 'id="confirmed"' in done.text
    time_machine.travel(at("2026-12-02"))
    sup = await login(new_browser, "sup_d")
    query = {"unit": CODES.district, "month": "2026-11"}
    exported = _export(await sup.get("/reports/monthly/export/csv", params=query))
    header = exported["header"]
    assert exported[f"甲{COUNTY}镇"][header.index("确认时间")] == "2026-12-01 23:30"
    filed, finished = header.index("申请量"), header.index("办结量")
    district = await figures.totals(world.path(CODES.district), *NOVEMBER)
    assert exported["合计"][filed] == str(district.filed) == "4"
    assert exported["合计"][finished] == str(district.finished) == "3"
    towns = [v for k, v in exported.items() if k not in ("header", "合计")]
    assert sum(int(r[filed]) for r in towns) == 4
    xlsx = await sup.get("/reports/monthly/export/xlsx", params=query)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = {row[2]: row for row in sheet.iter_rows(values_only=True)}
    assert values[f"甲{COUNTY}镇"][header.index("确认时间")] == "2026-12-01 23:30"
    assert values["合计"][filed] == 4
