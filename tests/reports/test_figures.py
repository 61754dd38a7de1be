"""Every dashboard figure against values computed by hand, on cases handled through the
real services around the 2026 National Day holidays.

The calendar (holidays library, 2026 notice): Fri 25 Sep (Mid-Autumn) and
1–7 Oct are off, Sat 10 Oct is a make-up working day. Times are 10:00 local
unless noted. Items: F = 5 working days, no visit, a hearing may suspend it;
T3 = 3 days, one visit; T2 = 2 days, two visits.

    case  where  item  filed     accepted   decided           handling  due    on time
    C0    A1     F     24 Sep    24 Sep     30 Sep approved   3         9 Oct  yes
    C1    A1     F     28 Sep    29 Sep     9 Oct approved    3         12 Oct yes
    C2    A1     F     28 Sep    28 Sep 11h 14 Oct approved   3 (*)     16 Oct yes
    C3    A win  T3    30 Sep    30 Sep     13 Oct approved   5         10 Oct no
    C4    B1     T3    8 Oct (bundle) 8 Oct 9 Oct approved    1         12 Oct yes
    C5    B1     T2    8 Oct (bundle) 8 Oct 15 Oct denied     6         10 Oct no
    C6    B1     F     12 Oct    12 Oct     —  red on 20 Oct (due 19 Oct)
    C7    A1     T3    15 Oct    refused 15 Oct
    C8    A1     T2    16 Oct    —  (still waiting for acceptance)

(*) suspended for a hearing from 29 Sep to 12 Oct: the 5 working days in
between (30 Sep, 8, 9, 10, 12 Oct) do not count; 8 counted days minus 5.

For 28 Sep – 16 Oct, the district: filed 8 (C1–C8), 7 by agents (all but
C3); accepted 6 (C1–C6); finished 6 (C0–C5), 5 approved, 1 denied; on time
4 of 6; handling days 3,3,3,5,1,6 → average 3.5, 90th percentile (nearest
rank 6 of 6) 6; at most one trip 5 of 6 (C5's item needs two), none 3 of 6;
now (20 Oct) open 2 (C6, C8), red 1 (C6).
"""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from core.cases.sweep import run_sweep
from core.cases.tables import Case
from core.reports import figures, scan
from core.reports.counting import count_case
from core.reports.tables import ReportCursor
from core.reviews import links
from tests.helpers import Browser, drain
from tests.reports.supervision_plugin import BUNDLE, FIVE_DAY, THREE_DAY, TWO_DAY
from tests.reports.world import PASSWORD, Codes, act, at, file_bundle, file_case

COUNTY = 80
CODES = Codes(COUNTY)
DISTRICT, TOWN_A, TOWN_B = CODES.district, CODES.town_a, CODES.town_b
VILLAGE_A1, VILLAGE_A2, VILLAGE_B1 = CODES.village_a1, CODES.village_a2, CODES.village_b1
WINDOW_A = CODES.window_a
START, END = date(2026, 9, 28), date(2026, 10, 16)
CODES_USER = {role: f"rpt{COUNTY}_{role}" for role in ("sup_a", "sup_d", "clerk_a")}


async def rate_the_service(app, world, c) -> None:
    """Three reviews on 14 Oct, through the pages: C1 online (very satisfied), C3 by the
    link in its message (dissatisfied), C4 on the agent's tablet for the filing visit."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    ) as client:
        resident = Browser(client)
        code = (await Case.select(Case.tracking_code).where(Case.id == c[1]).first())[
            "tracking_code"
        ]
        form = await resident.get("/reviews/rate", params={"code": code, "last4": "8000"})
        assert form.status_code == 200 and 'name="overall"' in form.text
        done = await resident.post_form(
            "/reviews/rate",
            {
                "code": code,
                "last4": "8000",
                "overall": "5",
                "efficiency": "5",
                "guide": "4",
                "convenience": "5",
                "attitude": "5",
                "reasons": "quick",
            },
        )
        assert done.status_code == 200 and 'id="rated"' in done.text, done.text
        link = links.token_for(c[3])
        done = await resident.post_form(
            f"/reviews/r/{link}", [("overall", "2"), ("efficiency", "1"), ("reasons", "slow")]
        )
        assert done.status_code == 200 and 'id="rated"' in done.text, done.text
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    ) as client:
        agent = Browser(client)
        await agent.login(world.username("agent_b1"), PASSWORD)
        page = await agent.get(f"/reviews/visit/{c[4]}")
        seq = re.search(r'name="visit" value="(\d+)"', page.text).group(1)
        done = await agent.post_form(f"/reviews/visit/{c[4]}", {"visit": seq, "overall": "4"})
        assert done.status_code == 200 and 'id="rated"' in done.text, done.text


@pytest.fixture(scope="module")
async def cases(fixture_plugin, world, time_machine, jobs, app):
    w, t = world, time_machine
    c = {}
    c[0] = await file_case(w, t, "agent_a1", VILLAGE_A1, FIVE_DAY, at("2026-09-24"))
    await act(w, t, "clerk_a", c[0], "accept", at("2026-09-24", 11))
    await act(w, t, "approver", c[0], "approve", at("2026-09-30"))

    c[1] = await file_case(w, t, "agent_a1", VILLAGE_A1, FIVE_DAY, at("2026-09-28"))
    c[2] = await file_case(w, t, "agent_a1", VILLAGE_A1, FIVE_DAY, at("2026-09-28", 10, 30))
    await act(w, t, "clerk_a", c[2], "accept", at("2026-09-28", 11))
    await act(w, t, "clerk_a", c[1], "accept", at("2026-09-29"))
    await act(
        w, t, "approver", c[2], "suspend", at("2026-09-29"), reason="需要听证", procedure="hearing"
    )
    c[3] = await file_case(w, t, "clerk_a", WINDOW_A, THREE_DAY, at("2026-09-30"))
    await act(w, t, "clerk_a", c[3], "accept", at("2026-09-30", 10, 30))
    c[4], c[5] = await file_bundle(
        w, t, "agent_b1", VILLAGE_B1, BUNDLE, [THREE_DAY, TWO_DAY], at("2026-10-08")
    )
    await act(w, t, "clerk_b", c[4], "accept", at("2026-10-08", 11))
    await act(w, t, "clerk_b", c[5], "accept", at("2026-10-08", 11, 5))
    await act(w, t, "approver", c[1], "approve", at("2026-10-09"))
    await act(w, t, "approver", c[4], "approve", at("2026-10-09", 11))
    c[6] = await file_case(w, t, "agent_b1", VILLAGE_B1, FIVE_DAY, at("2026-10-12"), resident=3)
    await act(w, t, "clerk_b", c[6], "accept", at("2026-10-12", 11))
    await act(w, t, "approver", c[2], "resume", at("2026-10-12", 10, 30), reason="听证结束")
    await act(w, t, "approver", c[3], "approve", at("2026-10-13"))
    await act(w, t, "approver", c[2], "approve", at("2026-10-14"))
    c[7] = await file_case(w, t, "agent_a1", VILLAGE_A1, THREE_DAY, at("2026-10-15"))
    await act(w, t, "clerk_a", c[7], "refuse", at("2026-10-15", 11), reason="材料不全")
    await act(w, t, "approver", c[5], "deny", at("2026-10-15"), reason="不符合条件")
    t.travel(at("2026-10-14", 15))
    await rate_the_service(app, w, c)
    c[8] = await file_case(w, t, "agent_a1", VILLAGE_A1, TWO_DAY, at("2026-10-16"))
    t.travel(at("2026-10-20"))
    await run_sweep(now=at("2026-10-20"))  # C6 turns red (overdue since 20 Oct)
    await drain(jobs)
    return c


async def test_the_district_figures_match_the_hand_computed_ones(cases, world):
    f = await figures.totals(world.path(DISTRICT), START, END)
    assert (f.filed, f.filed_proxy, f.accepted) == (8, 7, 6)
    assert (f.finished, f.approved, f.denied, f.on_time, f.late) == (6, 5, 1, 4, 2)
    assert f.handling_sum == 21 and f.avg_handling == 3.5 and f.p90_handling == 6
    assert dict(f.histogram) == {1: 1, 3: 3, 5: 1, 6: 1}
    assert (f.visits_le1, f.visits_0) == (5, 3)
    assert f.on_time_share == pytest.approx(4 / 6)
    assert f.le1_share == pytest.approx(5 / 6) and f.zero_share == pytest.approx(3 / 6)
    assert f.proxy_share == pytest.approx(7 / 8)
    assert (f.open_now, f.red_now) == (2, 1)


async def test_reviews_count_in_the_figures(cases, world):
    f = await figures.totals(world.path(DISTRICT), START, END)
    assert (f.reviews, f.reviews_good, f.reviews_bad, f.score_sum) == (3, 2, 1, 11)
    assert f.satisfaction == pytest.approx(2 / 3) and f.avg_score == pytest.approx(11 / 3)
    assert f.dimensions == {"efficiency": 3.0, "guide": 4.0, "convenience": 5.0, "attitude": 5.0}
    towns = await figures.by_child(world.path(DISTRICT), START, END)
    assert towns[world.path(TOWN_A)].reviews == 2 and towns[world.path(TOWN_A)].reviews_bad == 1
    assert towns[world.path(TOWN_B)].satisfaction == 1.0
    later = await figures.totals(world.path(DISTRICT), date(2026, 10, 15), END)
    assert later.reviews == 0  # counted on the day they were given


async def test_the_period_decides_what_counts(cases, world):
    before = await figures.totals(world.path(DISTRICT), date(2026, 9, 24), date(2026, 9, 27))
    assert (before.filed, before.accepted, before.finished) == (1, 1, 0)  # C0 only
    holiday = await figures.totals(world.path(DISTRICT), date(2026, 10, 1), date(2026, 10, 7))
    assert (holiday.filed, holiday.accepted, holiday.finished) == (0, 0, 0)
    october = await figures.totals(world.path(DISTRICT), date(2026, 10, 1), date(2026, 10, 31))
    assert (october.filed, october.finished, october.on_time) == (5, 5, 3)  # C4–C8; C1–C5
    day = await figures.trend(world.path(DISTRICT), START, END)
    assert day[date(2026, 9, 28)]["filed"] == 2 and day[date(2026, 10, 8)]["filed"] == 2
    assert day[date(2026, 10, 9)]["finished"] == 2 and day[date(2026, 10, 9)]["on_time"] == 2


async def test_breakdown_by_township_village_and_item(cases, world):
    towns = await figures.by_child(world.path(DISTRICT), START, END)
    a, b = towns[world.path(TOWN_A)], towns[world.path(TOWN_B)]
    assert (a.filed, a.accepted, a.finished, a.on_time, a.red_now, a.open_now) == (5, 3, 4, 3, 0, 1)
    assert (b.filed, b.accepted, b.finished, b.on_time, b.red_now, b.open_now) == (3, 3, 2, 1, 1, 1)
    assert a.p90_handling == 5 and b.p90_handling == 6
    places = await figures.by_child(world.path(TOWN_A), START, END)
    assert places[world.path(WINDOW_A)].filed == 1 and places[world.path(WINDOW_A)].filed_proxy == 0
    assert places[world.path(VILLAGE_A1)].filed == 4
    assert world.path(VILLAGE_A2) not in places  # nothing filed there
    items = await figures.by_item(world.path(DISTRICT), START, END)
    assert (items[FIVE_DAY].filed, items[FIVE_DAY].finished, items[FIVE_DAY].on_time) == (3, 3, 3)
    assert (items[THREE_DAY].filed, items[THREE_DAY].finished, items[THREE_DAY].on_time) == (
        3,
        2,
        1,
    )
    assert (items[TWO_DAY].filed, items[TWO_DAY].finished, items[TWO_DAY].denied) == (2, 1, 1)
    assert items[TWO_DAY].visits_le1 == 0 and items[THREE_DAY].visits_0 == 0


async def test_the_aggregates_agree_with_a_full_scan_of_the_cases(cases, world):
    for code in (DISTRICT, TOWN_A, TOWN_B, VILLAGE_A1, WINDOW_A):
        full = await scan.scan(world.path(code), START, END)
        assert scan.same(await figures.totals(world.path(code), START, END), full.totals), code
    children = await figures.by_child(world.path(DISTRICT), START, END)
    full = await scan.scan(world.path(DISTRICT), START, END)
    assert all(scan.same(children[path], f) for path, f in full.by_child.items())


async def test_counting_again_changes_nothing(cases, world):
    before = await figures.totals(world.path(DISTRICT), START, END)
    for case_id in cases.values():
        assert await count_case(case_id) is None  # already counted at its event count
        assert not await count_case(case_id, force=True)  # recomputed: no difference
    after = await figures.totals(world.path(DISTRICT), START, END)
    assert after.counts == before.counts and (after.open_now, after.red_now) == (2, 1)
    cursors = await ReportCursor.count().where(ReportCursor.case.is_in(list(cases.values())))
    assert cursors == len(cases)


async def test_the_dashboard_page_shows_the_figures_and_drills_down(cases, new_browser):
    sup = await new_browser()
    await sup.login(CODES_USER["sup_d"], PASSWORD)
    query = {"unit": DISTRICT, "start": START.isoformat(), "end": END.isoformat()}
    page = await sup.get("/reports/", params=query)
    assert page.status_code == 200, page.text
    html = page.text

    def kpi(name: str) -> str:
        match = re.search(rf'id="kpi-{name}">(.*?)</dd>', html, re.S)
        assert match, name
        return re.sub(r"<[^>]+>", "", match.group(1)).strip()

    assert kpi("filed") == "8" and kpi("accepted") == "6" and kpi("finished") == "6"
    assert kpi("on-time").startswith("4") and "66.7%" in kpi("on-time")
    assert kpi("red") == "1" and kpi("avg") == "3.5" and kpi("p90") == "6"
    assert kpi("le1") == "83.3%" and kpi("zero") == "50.0%" and kpi("proxy") == "87.5%"
    assert kpi("satisfaction").startswith("66.7%") and "3" in kpi("satisfaction")
    assert "<svg" in html and "甲80镇" in html and "乙80镇" in html
    assert f"unit={TOWN_A}" in html  # a drill-down link
    # By department: all three items belong to the social insurance centre.
    departments = re.search(r'<table id="departments">(.*?)</table>', html, re.S).group(1)
    row = re.search(r"<tr><th scope=\"row\">社会保险事务中心</th>(.*?)</tr>", departments, re.S)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]
    assert cells[:5] == ["8", "6", "6", "66.7%", "1"] and cells[5:7] == ["3.5", "6"]
    # Every chart has its numbers beside it: the trend's table lists the days.
    assert '<th scope="row">09-28</th><td class="num">2</td>' in html

    drilled = await sup.get(
        "/reports/",
        params={**query, "unit": TOWN_A},
        headers={"HX-Request": "true", "HX-Target": "dashboard"},
    )
    assert drilled.status_code == 200
    assert "<html" not in drilled.text  # only the dashboard's body
    assert "甲80镇 · " in drilled.text and "甲80一村" in drilled.text and "甲80二村" in drilled.text


async def test_the_dashboard_in_english(cases, new_browser):
    sup = await new_browser()
    await sup.login(CODES_USER["sup_d"], PASSWORD)
    await sup.get("/lang/en")
    page = await sup.get(
        "/reports/", params={"unit": DISTRICT, "start": START.isoformat(), "end": END.isoformat()}
    )
    assert page.status_code == 200
    for text in ("Supervision dashboard", "Cases filed", "At most one trip", "Town A80", "By item"):
        assert text in page.text, text
    assert "督办统计看板" not in page.text and "甲80镇" not in page.text
    assert "Supervision test five-day item" in page.text


async def test_a_township_sees_itself_and_nothing_beside_it(cases, new_browser):
    town = await new_browser()
    await town.login(CODES_USER["sup_a"], PASSWORD)
    own = await town.get("/reports/")
    assert own.status_code == 200 and "甲80镇" in own.text
    for other in (DISTRICT, TOWN_B, "509900000000"):
        refused = await town.get("/reports/", params={"unit": other})
        assert refused.status_code == 404
        assert "乙80镇" not in refused.text
    clerk = await new_browser()
    await clerk.login(CODES_USER["clerk_a"], PASSWORD)
    assert (await clerk.get("/reports/")).status_code == 403


async def test_a_bad_period_is_refused_with_a_message(cases, new_browser):
    sup = await new_browser()
    await sup.login(CODES_USER["sup_d"], PASSWORD)
    backwards = await sup.get("/reports/", params={"start": "2026-10-16", "end": "2026-09-28"})
    assert backwards.status_code == 422 and "晚于" in backwards.text or "after" in backwards.text
    garbage = await sup.get("/reports/", params={"start": "yesterday"})
    assert garbage.status_code == 422
