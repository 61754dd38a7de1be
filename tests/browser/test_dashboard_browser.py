"""Supervision in a real browser: the city admin opens the city dashboard, drills down
through the district to a township with htmx, and exports its monthly report.

Three cases filed last month at 麻柳村 (under 赶水镇, 綦江区) are put into the live
server's database and counted, and last month's reports are compiled, by a
small script run with the server's environment.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

from tests.helpers import DEMO_PASSWORDS

SEED = """
import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


async def main():
    from core.cases.tables import Case
    from core.catalog.registry import get_catalog
    from core.catalog.versions import item_version_id
    from core.reports.counting import count_case
    from core.reports.monthly import compile_month
    from core.reports.periods import local_today, previous_month
    from core.reports.tables import MonthlyReport
    from core.settings import get_settings
    from core.tenancy.tables import Unit

    month = previous_month(local_today())
    filed = datetime(month.year, month.month, 20, 10, tzinfo=ZoneInfo(get_settings().timezone))
    village = await Unit.select(Unit.id, Unit.path).where(Unit.code == "509910101201").first()
    version = await item_version_id(get_catalog().items["000115002000"])
    for n in range(3):
        at = filed + timedelta(minutes=n)
        row = await Case.insert(
            Case(
                item_code="000115002000",
                item_version=version,
                state="submitted",
                channel="proxy",
                filed_unit=village["id"],
                scope_path=village["path"],
                created_at=at,
                updated_at=at,
                submitted_at=at,
            )
        ).returning(Case.id)
        await count_case(row[0]["id"], force=True)
    # The worker may have compiled last month already, before these cases existed.
    await MonthlyReport.delete().where(MonthlyReport.period == month)
    await compile_month(month)


asyncio.run(main())
"""


def seed(live_server) -> None:
    subprocess.run(
        [sys.executable, "-c", SEED],
        env=live_server.env,
        check=True,
        capture_output=True,
        timeout=120,
    )


async def test_city_dashboard_drill_down_to_a_township_and_export(new_page, live_server):
    seed(live_server)
    page = await new_page()
    await page.goto("/login")
    await page.locator("#username").fill("admin")
    await page.locator("#password").fill(DEMO_PASSWORDS["admin"])
    await page.get_by_role("button", name="登录").click()
    await page.get_by_role("link", name="督办统计").click()
    await page.wait_for_url("**/reports/")
    heading = page.get_by_role("heading", level=1)
    assert "渝南市" in await heading.inner_text()
    assert await page.locator("svg.line-chart").count() == 1

    await page.get_by_role("link", name="上月").click()  # htmx: the body is swapped, the URL pushed
    await page.wait_for_url("**preset=last_month**")
    assert await page.locator("#kpi-filed").inner_text() == "3"

    await page.locator("#children").get_by_role("link", name="綦江区").click()
    await page.wait_for_url("**unit=509910000000**")
    assert "綦江区" in await heading.inner_text()
    await page.locator("#children").get_by_role("link", name="赶水镇").click()
    await page.wait_for_url("**unit=509910101000**")
    assert "赶水镇" in await heading.inner_text()
    assert await page.locator("#kpi-filed").inner_text() == "3"
    assert await page.locator("#kpi-proxy").inner_text() == "100.0%"
    crumbs = await page.get_by_role("navigation", name="上级单位").inner_text()
    assert "渝南市" in crumbs and "綦江区" in crumbs

    await page.get_by_role("link", name="月报").click()
    await page.wait_for_url("**/reports/monthly/**")
    assert "待确认" in await page.locator("#monthly").inner_text()
    async with page.expect_download() as download_info:
        await page.get_by_role("link", name="导出 CSV").click()
    download = await download_info.value
    path = await download.path()
    rows = list(csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"))))
    header, township = rows[0], rows[1]
    assert township[1] == "509910101000" and township[2] == "赶水镇"
    assert township[header.index("申请量")] == "3"
    assert download.suggested_filename.endswith(".csv")
