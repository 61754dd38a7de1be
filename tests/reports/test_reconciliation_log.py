"""The reconciliation log tells a run taken over by a later one as such: neither
"running" (it has stopped) nor "no drift" (it left its work to the other run)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from core.reports.tables import ReconciliationRun


def outcome(page: str, run: int) -> str:
    row = re.search(rf'<tr id="run-{run}".*?</tr>', page, re.S)
    assert row, f"no row for run {run}"
    return re.sub(r"<[^>]+>", "", row.group(0).split("<td>")[-1]).strip()


async def test_a_superseded_run_is_shown_superseded_in_both_languages(site, browser):
    night = date(2027, 4, 2)  # a night no other test uses
    at = datetime(2027, 4, 1, 17, 0, tzinfo=UTC)
    taken_over = ReconciliationRun(run_on=night, started_at=at, finished_at=at)
    dead = ReconciliationRun(run_on=night, started_at=at)  # never finished: its worker died
    await ReconciliationRun.insert(taken_over, dead)
    later = ReconciliationRun(run_on=night, started_at=at, finished_at=at)
    await later.save()
    await ReconciliationRun.update({ReconciliationRun.superseded_by: later.id}).where(
        ReconciliationRun.id.is_in([taken_over.id, dead.id])
    )
    try:
        await browser.login("admin")
        page = (await browser.get("/reports/reconciliation")).text
        assert outcome(page, taken_over.id) == f"已由第 {later.id} 次核对接替"
        assert outcome(page, dead.id) == f"已由第 {later.id} 次核对接替"
        assert f'href="#run-{later.id}"' in page
        assert outcome(page, later.id) == "无偏差"

        browser.client.cookies.set("lang", "en")
        page = (await browser.get("/reports/reconciliation")).text
        assert outcome(page, taken_over.id) == f"Superseded by run {later.id}"
        assert outcome(page, dead.id) == f"Superseded by run {later.id}"
        assert outcome(page, later.id) == "No drift"
    finally:
        await ReconciliationRun.delete().where(
            ReconciliationRun.id.is_in([taken_over.id, dead.id, later.id])
        )
