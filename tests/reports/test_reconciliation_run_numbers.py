"""The reconciliation log numbers its runs, so "superseded by run N" can be found: a
column of run numbers, each the anchor the "run N" link leads to."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from core.reports.tables import ReconciliationRun


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


def _row(page: str, anchor: str) -> str:
    row = re.search(rf'<tr id="{anchor}".*?</tr>', page, re.S)
    assert row, f"no row with id {anchor}"
    return row.group(0)


def _cells(row: str) -> list[str]:
    return [_text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]


def _headings(page: str) -> list[str]:
    head = re.search(r'<table id="runs">\s*<thead>(.*?)</thead>', page, re.S)
    assert head, "no table of runs"
    return _cells(head.group(1))


async def test_the_run_a_superseded_run_names_is_found_by_its_number(site, browser):
    night = date(2027, 5, 3)  # a night no other test uses
    at = datetime(2027, 5, 2, 17, 0, tzinfo=UTC)
    taken_over = ReconciliationRun(run_on=night, started_at=at)  # its worker died
    await taken_over.save()
    later = ReconciliationRun(run_on=night, started_at=at, finished_at=at)
    await later.save()
    await ReconciliationRun.update({ReconciliationRun.superseded_by: later.id}).where(
        ReconciliationRun.id == taken_over.id
    )
    try:
        await browser.login("admin")
        for language, heading, number, superseded in (
            ("zh_CN", "核对次序", "第 {} 次", "已由第 {} 次核对接替"),
            ("en", "Run", "No. {}", "Superseded by run {}"),
        ):
            browser.client.cookies.set("lang", language)
            page = (await browser.get("/reports/reconciliation")).text
            assert _headings(page)[0] == heading
            assert _cells(_row(page, f"run-{later.id}"))[0] == number.format(later.id)
            assert _cells(_row(page, f"run-{taken_over.id}"))[0] == number.format(taken_over.id)

            # The reader of the superseded row follows "run N" to the row numbered N.
            old = _row(page, f"run-{taken_over.id}")
            assert _cells(old)[-1] == superseded.format(later.id)
            target = re.search(r'<a href="#(run-\d+)">[^<]*' + re.escape(_cells(old)[-1]), old)
            assert target, old
            assert _cells(_row(page, target.group(1)))[0] == number.format(later.id)
    finally:
        await ReconciliationRun.delete().where(
            ReconciliationRun.id.is_in([taken_over.id, later.id])
        )
