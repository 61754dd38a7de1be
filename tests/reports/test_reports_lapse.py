"""A result held for its fees that lapses (approved → withdrawn, 视为撤回申请) in the figures.

What the supervisor is meant to see (the rules are written down in
:mod:`core.reports.contribution`): a lapsed case was decided (approved, on
time) on its decision day and stays so. It was filed and accepted like any
case, it is neither open nor red, and nothing is counted on the day it
lapses. So a lapse moves no figure, on any day and at any level, in the live
dashboard or in a month's frozen report. The nightly reconciliation, which
recomputes every case from scratch, finds nothing to repair, and a lapse
announced twice is still counted once.

Four tax-office invoice cases (代开发票: accepted and approved on the spot,
10.50 yuan of taxes held for payment) are filed by the demo agent at 麻柳村
on day D through the real services, the way ``tests/payments`` makes them:

    case       what happens                                      counted on D
    soon       held, pay-by D+1, lapses on D+2                   filed, accepted, finished: approved, on time
    late       held, pay-by the 1st of the next month, lapses    filed, accepted, finished: approved, on time
               on the 2nd, after D's month has been compiled
    paid       held, paid on D, issued                           filed, accepted, finished: approved, on time
    withdrawn  accepted, withdrawn by the agent before any       filed, accepted; not finished
               decision (a plain withdrawal, for contrast)

The item is instant (0 working days, no visit), so each finished case took
0 handling days and needs no trip. The demo units are shared with other
test modules, so the figures are compared with a snapshot taken just before
these cases were filed.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from core.cases import timing
from core.cases.tables import Case, CaseEvent
from core.payments import lapse
from core.plugins import await_me_maybe, get_plugin_manager
from core.reports import figures, monthly, scan
from core.reports.contribution import DAY_COLUMNS
from core.reports.counting import CASE_COLUMNS, count_case, figures_for, figures_from_cursor
from core.reports.periods import month_end
from core.reports.reconcile import GRACE, Outcome, check_cases, check_day, check_gauges
from core.reports.tables import MonthlyReport, ReportCursor
from core.settings import get_settings, site_today
from core.tenancy.tables import Unit
from tests.helpers import drain
from tests.payments.test_payment_deadline import INVOICE, held_case, invoice_form, on, pay
from tests.plugins.conftest import staff  # noqa: F401  (the demo staff fixture)
from tests.plugins.support import act, applicant, file_case, id_number, run

VILLAGE, TOWNSHIP, DISTRICT, CITY = "509910101201", "509910101000", "509910000000", "509900000000"
SCOPES = (VILLAGE, TOWNSHIP, DISTRICT, CITY)
_serial = itertools.count(1)

# What the four cases add on D (and to D's month), at every level from the village up.
ON_D = {
    "filed": 4,
    "filed_proxy": 4,
    "accepted": 4,
    "finished": 3,
    "approved": 3,
    "on_time": 3,
    "visits_le1": 3,
    "visits_0": 3,
    "handled_in_0": 3,
}


def number(shown: str) -> int:
    """A count as the page shows it, with its thousands separators (1,006)."""
    return int(shown.replace(",", ""))


def month_of(day: date) -> date:
    return day.replace(day=1)


async def path(code: str) -> str:
    return (await Unit.select(Unit.path).where(Unit.code == code).first())["path"]


def plain(f: figures.Figures) -> Counter:
    """The figures as one counter: the day counts, the gauges and the handling histogram."""
    counts = Counter({c: f.counts[c] for c in DAY_COLUMNS})
    counts["open_now"], counts["red_now"] = f.open_now, f.red_now
    for days, cases in f.histogram.items():
        counts[f"handled_in_{days}"] += cases
    return counts


def change(after: Counter, before: Counter) -> dict:
    """What changed (negatives kept, zeros left out)."""
    return {k: after[k] - before[k] for k in set(after) | set(before) if after[k] != before[k]}


@dataclass
class Story:
    """The cases, the days that matter, and what the figures were at each step."""

    decided: date
    lapse_soon: date
    lapse_late: date
    ids: dict[str, int] = field(default_factory=dict)
    seen: dict[str, dict] = field(default_factory=dict)  # step -> figures per (scope, period)
    drift: dict[str, Outcome] = field(default_factory=dict)  # step -> what reconciliation found
    pages: dict[str, dict] = field(default_factory=dict)  # step -> figures a supervisor reads
    report_id: int = 0
    events_before_redelivery: int = 0

    @property
    def periods(self) -> list[tuple[date, date]]:
        days = sorted({self.decided, self.lapse_soon, self.lapse_late})
        months = sorted({month_of(d) for d in days})
        return [(d, d) for d in days] + [(m, month_end(m)) for m in months]

    async def look(self, step: str) -> None:
        self.seen[step] = {
            (code, start, end): plain(await figures.totals(await path(code), start, end))
            for code in SCOPES
            for start, end in self.periods
        }


async def invoice_case(staff) -> dict:  # noqa: F811
    """An invoice case filed by the agent, still at the tax window (as in ``held_case``)."""
    n = next(_serial)
    person = applicant(
        "撤回" + "甲乙丙丁戊己庚辛壬癸"[n % 10], id_number(date(1971, 5, n), 800 + n)
    )
    return await file_case(await staff("agent"), INVOICE, person, invoice_form(f"4577{n:04d}"))


def pay_within(patch, days: int) -> None:
    patch.setitem(
        get_settings().site, "payments", {"pay_within_days": days, "remind_days_before": 0}
    )


async def reconciled(story: Story, now: datetime, *, repair: bool) -> Outcome:
    """The nightly reconciliation as of ``now``: every case, the story's days, the gauges."""
    outcome = Outcome()
    await check_cases(outcome, now=now, repair=repair, batch=2000)
    for day in sorted({story.decided, story.lapse_soon, story.lapse_late}):
        await check_day(day, outcome, repair=repair)
    await check_gauges(outcome, repair=repair)
    return outcome


async def supervisor_sees(staff, story: Story, report_id: int = 0) -> dict:  # noqa: F811
    """The township supervisor's dashboard for day D and D's month, and the frozen report."""
    sup = await staff("townsupervisor")
    seen = {}
    for name, (start, end) in {
        "day": (story.decided, story.decided),
        "month": (month_of(story.decided), month_end(story.decided)),
    }.items():
        page = await sup.get(
            "/reports/",
            params={"unit": TOWNSHIP, "start": start.isoformat(), "end": end.isoformat()},
        )
        assert page.status_code == 200, page.text
        for kpi in ("filed", "accepted", "finished", "red"):
            found = re.search(rf'id="kpi-{kpi}">(.*?)</dd>', page.text, re.S)
            seen[f"{name}:{kpi}"] = re.sub(r"<[^>]+>", "", found.group(1)).strip()
    if report_id:
        page = await sup.get(f"/reports/monthly/{report_id}")
        assert page.status_code == 200, page.text
        table = re.search(
            r'<table class="compact" id="report-figures">(.*?)</table>', page.text, re.S
        )
        for row in re.findall(
            r"<tr><th scope=\"row\">(.*?)</th><td class=\"num\">(.*?)</td>", table[1]
        ):
            seen[f"report:{row[0]}"] = row[1].strip()
    return seen


@pytest.fixture(scope="module")
async def story(app, staff, jobs):  # noqa: F811
    await drain(jobs)  # whatever earlier modules left in the outbox is counted first
    decided = site_today()
    following = month_end(decided) + timedelta(days=1)
    s = Story(decided, decided + timedelta(days=2), following + timedelta(days=1))
    # The night before: the reconciliation repairs whatever others left, so that any drift
    # found afterwards is these cases'. As of a moment past its grace period: the later
    # checks look from days ahead, when cases another module made minutes ago (the
    # thousand-submission test's, never counted on purpose) are no longer "on their way".
    await reconciled(s, timing.utcnow() + GRACE + timedelta(minutes=1), repair=True)
    await s.look("before")
    s.pages["before"] = await supervisor_sees(staff, s)

    with pytest.MonkeyPatch.context() as patch:
        pay_within(patch, 1)
        s.ids["soon"] = (await held_case(staff))["id"]
        pay_within(patch, (following - decided).days)
        s.ids["late"] = (await held_case(staff))["id"]
    paid = await held_case(staff)
    reference = f"GS{decided:%Y%m%d}7{paid['id'] % 100000:05d}"  # the bank's, unique
    assert (await pay(staff, paid["payment_code"], reference)).status_code == 201
    s.ids["paid"] = paid["id"]
    withdrawn = await invoice_case(staff)
    await run(staff, withdrawn["id"], [("taxclerk", "accept")])
    done = await act(await staff("agent"), withdrawn["id"], "withdraw", reason="申请人要求撤回")
    assert done["state"] == "withdrawn"
    s.ids["withdrawn"] = withdrawn["id"]
    await drain(jobs)
    await s.look("decided")

    # The first working day of the next month: D's month is compiled and frozen (a copy
    # compiled before these cases existed, on a database used before, is compiled anew).
    township = await Unit.select(Unit.id).where(Unit.code == TOWNSHIP).first()
    await MonthlyReport.delete().where(
        (MonthlyReport.unit == township["id"]) & (MonthlyReport.period == month_of(decided))
    )
    await monthly.compile_month(month_of(decided))
    report = (
        await MonthlyReport.select(MonthlyReport.id)
        .where((MonthlyReport.unit == township["id"]) & (MonthlyReport.period == month_of(decided)))
        .first()
    )
    s.report_id = report["id"]
    s.pages["decided"] = await supervisor_sees(staff, s, s.report_id)

    # D+2: "soon" lapses. Before its announcement is delivered, and after.
    await lapse.run(on(s.lapse_soon, 0))
    await s.look("soon lapsed, not yet announced")
    await drain(jobs)
    await s.look("soon lapsed")
    s.drift["soon lapsed, that day"] = await reconciled(s, on(s.lapse_soon, 1), repair=False)
    s.drift["soon lapsed, next night"] = await reconciled(
        s, on(s.lapse_soon + timedelta(days=1), 2), repair=False
    )

    # The outbox is at-least-once: the lapse is announced again, twice, to the reports' hook.
    case = await Case.select().where(Case.id == s.ids["soon"]).first()
    event = (
        await CaseEvent.select()
        .where((CaseEvent.case == case["id"]) & (CaseEvent.kind == "lapse"))
        .first()
    )
    s.events_before_redelivery = case["event_count"]
    for _ in range(2):
        for result in get_plugin_manager().hook.tongban_case_event(case=case, event=event):
            await await_me_maybe(result)
    await s.look("soon announced twice more")

    # The 2nd of the next month: "late" lapses, its month long since frozen.
    await lapse.run(on(s.lapse_late, 0))
    await drain(jobs)
    await s.look("late lapsed")
    s.drift["late lapsed, that day"] = await reconciled(s, on(s.lapse_late, 1), repair=False)
    s.drift["late lapsed, next night"] = await reconciled(
        s, on(s.lapse_late + timedelta(days=1), 2), repair=False
    )
    s.pages["late lapsed"] = await supervisor_sees(staff, s, s.report_id)
    return s


async def states(story: Story) -> dict[str, str]:
    rows = await Case.select(Case.id, Case.state, Case.outcome).where(
        Case.id.is_in(list(story.ids.values()))
    )
    by_id = {r["id"]: (r["state"], r["outcome"]) for r in rows}
    return {name: by_id[case_id] for name, case_id in story.ids.items()}


async def test_the_story_happened_as_told(story):
    assert await states(story) == {
        "soon": ("withdrawn", "approved"),
        "late": ("withdrawn", "approved"),
        "paid": ("issued", "approved"),
        "withdrawn": ("withdrawn", ""),
    }
    cursors = {
        r["case"]: r
        for r in await ReportCursor.select().where(
            ReportCursor.case.is_in(list(story.ids.values()))
        )
    }
    for name in ("soon", "late", "paid"):
        assert cursors[story.ids[name]]["decided_on"] == story.decided, name
    # Each lapsed on the day after its pay-by day; "late" in the month after D's.
    assert await lapse.lapsed_pay_by(story.ids["soon"]) == story.lapse_soon - timedelta(days=1)
    assert await lapse.lapsed_pay_by(story.ids["late"]) == story.lapse_late - timedelta(days=1)
    assert await lapse.lapsed_pay_by(story.ids["paid"]) is None
    assert month_of(story.lapse_late) != month_of(story.decided)


async def test_a_lapsed_case_counts_as_decided_on_its_day_and_a_withdrawal_does_not(story):
    """On D, at every level: the two lapsed cases are finished, approved and on time like
    the paid one; the plain withdrawal is filed and accepted only. None is open or red."""
    for code in SCOPES:
        for period in (
            (story.decided, story.decided),
            (month_of(story.decided), month_end(story.decided)),
        ):
            key = (code, *period)
            assert change(story.seen["late lapsed"][key], story.seen["before"][key]) == ON_D, key


async def test_the_lapse_moves_no_figure_on_any_day_at_any_level(story):
    """Decision day, lapse days, both months; village, township, district, city: the figures
    after each lapse are those after the decisions — announced or not, once or three times."""
    decided = story.seen["decided"]
    for step in (
        "soon lapsed, not yet announced",
        "soon lapsed",
        "soon announced twice more",
        "late lapsed",
    ):
        for key, counts in story.seen[step].items():
            assert change(counts, decided[key]) == {}, (step, key)
    for code in SCOPES:
        for day in (story.lapse_soon, story.lapse_late):
            key = (code, day, day)
            assert change(story.seen["late lapsed"][key], story.seen["before"][key]) == {}, key


async def test_the_reconciliation_finds_no_drift_on_the_day_of_the_lapse_or_after(story):
    for when, outcome in story.drift.items():
        assert not outcome.drifted, (when, outcome.samples)
        assert outcome.days_checked == len({story.decided, story.lapse_soon, story.lapse_late})


async def test_recomputed_from_scratch_the_cases_and_the_aggregates_agree(story):
    """Every case as the reconciliation recomputes it equals what it contributed; a full
    scan of the cases gives the aggregates' figures for every level and period."""
    rows = await Case.select(*CASE_COLUMNS).where(Case.id.is_in(list(story.ids.values())))
    truth = await figures_for(rows)
    for row in rows:
        cursor = await ReportCursor.select().where(ReportCursor.case == row["id"]).first()
        assert figures_from_cursor(cursor) == truth[row["id"]]
        assert cursor["version"] == row["event_count"]
        assert await count_case(row["id"]) is None  # a late duplicate: nothing to do
        assert not await count_case(row["id"], force=True)  # recounted: no difference
    for code in SCOPES:
        for start, end in story.periods:
            full = await scan.scan(await path(code), start, end)
            counted = await figures.totals(await path(code), start, end)
            assert scan.same(counted, full.totals), (code, start, end)


async def test_announcing_the_lapse_again_counts_it_once(story):
    case = await Case.select(Case.event_count).where(Case.id == story.ids["soon"]).first()
    assert case["event_count"] == story.events_before_redelivery  # nothing new was recorded
    cursor = await ReportCursor.select().where(ReportCursor.case == story.ids["soon"]).first()
    assert cursor["version"] == case["event_count"] and cursor["decided_on"] == story.decided
    assert (cursor["approved"], cursor["on_time"], cursor["open"], cursor["red"]) == (
        True,
        True,
        False,
        False,
    )


async def test_the_supervisor_reads_the_same_before_and_after_the_lapses(story):
    """The township's dashboard for D and D's month, and its frozen monthly report."""
    before, decided, after = (
        story.pages["before"],
        story.pages["decided"],
        story.pages["late lapsed"],
    )
    for period in ("day", "month"):
        assert number(decided[f"{period}:finished"]) == number(before[f"{period}:finished"]) + 3
        assert number(decided[f"{period}:filed"]) == number(before[f"{period}:filed"]) + 4
    assert after == decided
    live = story.seen["late lapsed"][(TOWNSHIP, month_of(story.decided), month_end(story.decided))]
    assert number(after["report:办结量"]) == live["finished"]
    assert number(after["report:申请量"]) == live["filed"]
    # The frozen copy holds the month's day counts and histogram exactly as they are now
    # (its gauges are the moment of compilation's, and none of these cases is open).
    frozen = (
        await MonthlyReport.select(MonthlyReport.figures)
        .where(MonthlyReport.id == story.report_id)
        .output(load_json=True)
        .first()
    )
    frozen_counts = plain(figures.Figures.from_dict(frozen["figures"]))
    assert change(live, frozen_counts) == {}
