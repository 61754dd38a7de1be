"""Electronic supervision, monthly reports and reconciliation, on September 2026.

    case  where  item  filed/accepted   decided                     handling
    S1    A1     F     1 Sep            approved 4 Sep (due 8 Sep)  3, on time
    S2    B1     T3    7 Sep            — due 10 Sep, red from 11 Sep
    S3    A1     F     10 Sep           approved 21 Sep (due 17 Sep) 8, late

S3's count includes Sunday 20 September, a make-up working day (调休). October
2026 starts with the National Day holidays: its first working day is 8 October,
so September's reports are compiled then, and the townships confirm by the
5th working day, 13 October (8, 9, 10 — a make-up Saturday — 12, 13).
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from core.cases.sweep import run_sweep
from core.cases.tables import Case, CaseEvent, Notification
from core.jobs.tables import OutboxMessage
from core.reports import figures, periodic
from core.reports.reconcile import reconcile
from core.reports.tables import MonthlyReport, ReportCursor, ReportDay
from tests.helpers import drain
from tests.reports.supervision_plugin import FIVE_DAY, THREE_DAY
from tests.reports.world import PASSWORD, Codes, act, at, file_case

COUNTY = 82
CODES = Codes(COUNTY)
SEPTEMBER = (date(2026, 9, 1), date(2026, 9, 30))


@pytest.fixture(scope="module")
async def cases(fixture_plugin, world, time_machine, jobs):
    w, t = world, time_machine
    c = {}
    c["s1"] = await file_case(w, t, "agent_a1", CODES.village_a1, FIVE_DAY, at("2026-09-01"))
    await act(w, t, "clerk_a", c["s1"], "accept", at("2026-09-01", 11))
    await act(w, t, "approver", c["s1"], "approve", at("2026-09-04"))
    c["s2"] = await file_case(w, t, "agent_b1", CODES.village_b1, THREE_DAY, at("2026-09-07"))
    await act(w, t, "clerk_b", c["s2"], "accept", at("2026-09-07", 11))
    c["s3"] = await file_case(w, t, "agent_a1", CODES.village_a1, FIVE_DAY, at("2026-09-10"))
    await act(w, t, "clerk_a", c["s3"], "accept", at("2026-09-10", 11))
    await run_sweep(now=at("2026-09-14"))  # S2 is two working days late
    await act(w, t, "approver", c["s3"], "approve", at("2026-09-21"))
    t.travel(at("2026-09-22"))
    await drain(jobs)
    return c


async def login(new_browser, role: str):
    browser = await new_browser()
    await browser.login(f"rpt{COUNTY}_{role}", PASSWORD)
    return browser


def _inbox(page: str) -> str:
    """The desk's Messages, as the reader sees their text."""
    assert 'id="messages-inbox"' in page, "no messages on the desk"
    start = page.index('id="messages-inbox"')
    return html.unescape(page[start : page.index("</section>", start)])


async def test_the_red_list_shows_how_late_and_who_holds_it(cases, new_browser, world):
    sup = await login(new_browser, "sup_d")
    page = await sup.get("/reports/red/", params={"unit": CODES.district})
    assert page.status_code == 200
    row = re.search(rf'id="red-{cases["s2"]}">(.*?)</tr>', page.text, re.S)
    assert row, page.text
    cells = [
        re.sub(r"<[^>]+>|\s+", " ", c).strip()
        for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    ]
    assert cells[4] == "9"  # due 10 Sep; 11, 14–18, 20 (make-up Sunday), 21, 22 Sep since
    assert "督办测试82区社会保险事务中心" in cells[5]
    assert f'id="red-{cases["s1"]}"' not in page.text and f'id="red-{cases["s3"]}"' not in page.text
    town_a = await login(new_browser, "sup_a")
    theirs = await town_a.get("/reports/red/")
    assert f'id="red-{cases["s2"]}"' not in theirs.text  # filed in another township


async def test_urging_is_a_case_event_and_tells_the_holder(cases, new_browser, jobs, world):
    sup = await login(new_browser, "sup_d")
    empty = await sup.post_form(
        f"/reports/red/{cases['s2']}/urge", {"message": " ", "unit": CODES.district}
    )
    assert empty.status_code == 422
    done = await sup.post_form(
        f"/reports/red/{cases['s2']}/urge", {"message": "请于本周内办结", "unit": CODES.district}
    )
    assert done.status_code == 200 and 'id="urged"' in done.text
    event = (
        await CaseEvent.select()
        .where((CaseEvent.case == cases["s2"]) & (CaseEvent.kind == "urge"))
        .first()
    )
    assert event["reason"] == "请于本周内办结" and event["actor_name"] == "测试82区督办"
    assert event["to_state"] == event["from_state"] == "in_review"
    await drain(jobs)
    told = await Notification.select().where(
        (Notification.case == cases["s2"]) & (Notification.audience == "holder")
    )
    assert [n["staff"] for n in told] == [world.who("approver").staff_id]
    assert "请于本周内办结" in told[0]["body"]
    # The holder reads it on their desk in their own language.
    code = (await Case.select(Case.tracking_code).where(Case.id == cases["s2"]).first())[
        "tracking_code"
    ]
    holder = await login(new_browser, "approver")
    zh = _inbox((await holder.get("/desk/")).text)
    assert f"超期办件催办：{code}" in zh and "已超期，请尽快办结。请于本周内办结" in zh
    assert "Overdue case urged" not in zh
    holder.client.cookies.set("lang", "en")
    en = _inbox((await holder.get("/desk/")).text)
    assert f"Overdue case urged: {code}" in en and "超期办件催办" not in en
    assert f"测试82区督办 urges you to finish case {code}, which is overdue: 请于本周内办结" in en
    on_time = await sup.post_form(
        f"/reports/red/{cases['s1']}/urge", {"message": "快办", "unit": CODES.district}
    )
    assert on_time.status_code == 409  # not overdue
    town_a = await login(new_browser, "sup_a")
    other = await town_a.post_form(f"/reports/red/{cases['s2']}/urge", {"message": "快办"})
    assert other.status_code == 404  # another township's case does not exist for them


async def test_monthly_reports_wait_for_the_first_working_day(cases, time_machine):
    time_machine.travel(at("2026-10-01", 3))
    assert "compiled" not in await periodic.run()
    time_machine.travel(at("2026-10-08", 3))
    done = await periodic.run()
    assert done["compiled"] >= 2 and "reconciled" in done
    again = await periodic.run(at("2026-10-08", 3, 10))
    assert "compiled" not in again and "reconciled" not in again  # once a night, once a month


async def test_the_frozen_figures_of_each_township(cases, world):
    reports = {
        r["unit"]: r
        for r in await MonthlyReport.select()
        .where(MonthlyReport.period == date(2026, 9, 1))
        .output(load_json=True)
    }
    a = reports[world.unit(CODES.town_a)["id"]]["figures"]
    b = reports[world.unit(CODES.town_b)["id"]]["figures"]
    assert (a["filed"], a["accepted"], a["finished"], a["on_time"], a["handling_sum"]) == (
        2,
        2,
        2,
        1,
        11,
    )
    assert a["p90_handling"] == 8 and a["red_now"] == 0
    assert (b["filed"], b["accepted"], b["finished"], b["red_now"]) == (1, 1, 0, 1)


async def test_a_township_confirms_and_the_district_sees_who_is_late(
    cases, new_browser, time_machine, world
):
    report_a = (
        await MonthlyReport.select()
        .where(
            (MonthlyReport.unit == world.unit(CODES.town_a)["id"])
            & (MonthlyReport.period == date(2026, 9, 1))
        )
        .first()
    )
    report_b = (
        await MonthlyReport.select()
        .where(
            (MonthlyReport.unit == world.unit(CODES.town_b)["id"])
            & (MonthlyReport.period == date(2026, 9, 1))
        )
        .first()
    )
    time_machine.travel(at("2026-10-09"))
    town_a = await login(new_browser, "sup_a")
    assert (
        await town_a.post_form(f"/reports/monthly/{report_b['id']}/confirm", {})
    ).status_code == 404
    confirmed = await town_a.post_form(
        f"/reports/monthly/{report_a['id']}/confirm", {"note": "已核对"}
    )
    assert confirmed.status_code == 200 and 'id="confirmed"' in confirmed.text
    twice = await town_a.post_form(f"/reports/monthly/{report_a['id']}/confirm", {})
    assert twice.status_code == 409
    clerk = await login(new_browser, "clerk_b")
    assert (
        await clerk.post_form(f"/reports/monthly/{report_b['id']}/confirm", {})
    ).status_code == 403

    district = await login(new_browser, "sup_d")
    before = await district.get(
        "/reports/monthly/", params={"unit": CODES.district, "month": "2026-09"}
    )
    assert 'id="late"' not in before.text  # the deadline, 13 October, has not passed
    time_machine.travel(at("2026-10-14"))
    after = await district.get(
        "/reports/monthly/", params={"unit": CODES.district, "month": "2026-09"}
    )
    late = re.search(r'id="late">(.*?)</p>', after.text, re.S).group(1)
    assert "乙82镇" in late and "甲82镇" not in late


async def test_the_monthly_report_exports_as_csv_and_xlsx(cases, new_browser):
    district = await login(new_browser, "sup_d")
    query = {"unit": CODES.district, "month": "2026-09"}
    response = await district.get("/reports/monthly/export/csv", params=query)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, by_name = rows[0], {r[2]: r for r in rows[1:]}
    assert header[:3] == ["月份", "单位代码", "乡镇（街道）"]
    filed = header.index("申请量")
    assert by_name["甲82镇"][filed] == "2" and by_name["乙82镇"][filed] == "1"
    assert by_name["合计"][filed] == "3"
    xlsx = await district.get("/reports/monthly/export/xlsx", params=query)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == header and {r[2]: r[filed] for r in values[1:]}["甲82镇"] == 2
    assert (await district.get("/reports/monthly/export/pdf", params=query)).status_code == 404


async def test_reconciliation_finds_and_repairs_drift(cases, world, time_machine, jobs):
    time_machine.travel(at("2026-10-14"))
    s4 = await file_case(
        world, time_machine, "agent_a1", CODES.village_a1, THREE_DAY, at("2026-10-13")
    )
    lost = [
        row["id"]
        for row in await OutboxMessage.select()
        .where(OutboxMessage.sent_at.is_null())
        .output(load_json=True)
        if row["payload"].get("case_id") == s4
    ]
    await OutboxMessage.delete().where(OutboxMessage.id.is_in(lost))  # its message is lost
    time_machine.travel(at("2026-10-14"))
    district = world.path(CODES.district)
    await ReportDay.update({ReportDay.filed: ReportDay.filed + 5}).where(
        (ReportDay.scope == district) & (ReportDay.day == date(2026, 9, 10))
    )
    tampered = await figures.totals(district, *SEPTEMBER)
    assert tampered.filed == 8

    _, found = await reconcile(repair=False)
    assert found.cases_uncounted >= 1 and found.days_drifted >= 1
    assert (await figures.totals(district, *SEPTEMBER)).filed == 8  # a dry run repairs nothing
    assert not await ReportCursor.exists().where(ReportCursor.case == s4)

    _, repaired = await reconcile()
    assert repaired.cases_uncounted >= 1 and repaired.days_drifted >= 1
    assert (await figures.totals(district, *SEPTEMBER)).filed == 3
    october = await figures.totals(district, date(2026, 10, 13), date(2026, 10, 13))
    assert october.filed == 1  # S4, counted at last

    _, clean = await reconcile()
    assert not clean.drifted


async def test_the_reconciliation_log_is_for_the_whole_site_only(cases, new_browser):
    city = await new_browser()
    await city.login("admin")
    page = await city.get("/reports/reconciliation")
    assert page.status_code == 200 and 'id="runs"' in page.text
    assert "偏差已修复" in page.text and "无偏差" in page.text  # the repair, then the clean run
    district = await login(new_browser, "sup_d")
    assert (await district.get("/reports/reconciliation")).status_code == 403


def test_the_command_reports_no_drift_once_repaired(cases):
    from core.reports.cli import reports

    result = CliRunner().invoke(reports, ["reconcile", "--dry-run", "--days", "40"])
    assert result.exit_code == 0, result.output
    assert "0 uncounted, 0 changed" in result.output
