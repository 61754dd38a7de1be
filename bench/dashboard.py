"""Supervision dashboards at 1M cases: from the aggregates, and by a full scan, side by side.

    .venv/bin/python bench/dashboard.py                      # SQLite in a temporary folder
    .venv/bin/python bench/dashboard.py --cases 100000       # a quick run
    .venv/bin/python bench/dashboard.py --period year        # a whole year instead of a month
    TONGBAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_dash \\
        .venv/bin/python bench/dashboard.py                  # an empty scratch database

The demo site is loaded and a city of ~5,100 units (16 counties × 18
townships × ~17 villages, with their offices and service centres) is
imported under its root. ``--cases`` cases filed over the twelve months to 31
October 2026 are inserted straight into the tables (COPY on PostgreSQL, one
executemany per 100,000 on SQLite) — items from the installed plugins, filed
at villages (by agents) and township windows, accepted, some paused for a
supplement, most decided, some still open and overdue — and so are the
aggregate rows the outbox actor would have written for them, computed in the
same pass. No notifications, signatures or reviews: the dashboard does not
read them.

For the city, one county and one township the script then times, for the
chosen period:

- **page**: ``GET /reports/?unit=…`` as the city admin, through the whole app
  (session, scoping, aggregates, SVG charts, template) — median of 5;
- **figures**: ``core.reports.dashboard.build`` alone (the queries), median of 5;
- **full scan (baseline)**: the same figures computed from the cases
  (``core.reports.scan``: every case of the subtree filed, accepted or decided in
  the period or open now, its clock recomputed) — once;

checks that both give the same figures, and prints the ratio. With
``--reconcile`` it also times a nightly reconciliation over all the cases
(a dry run: it must find no drift, since the seeded cursors and rows are
exactly what counting would have written).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TZ = ZoneInfo("Asia/Shanghai")
END = dt.date(2026, 10, 31)
START = dt.date(2025, 11, 1)
NOW = dt.datetime(2026, 10, 31, 18, 0, tzinfo=TZ)  # the moment the gauges are "now"
CHUNK = 100_000
CITY = "509900000000"  # the demo city; the generated counties hang under it
GENERATED = "519900000000"  # prefix of the generated counties' codes (5199xx000000)

CASE_COLUMNS = (
    "id",
    "item_code",
    "item_version",
    "state",
    "outcome",
    "data_enc",
    "channel",
    "filed_unit",
    "accepting_unit",
    "scope_path",
    "current_step",
    "fee_total",
    "created_at",
    "updated_at",
    "submitted_at",
    "accepted_at",
    "decided_at",
    "due_on",
    "light",
    "last_event_hash",
    "event_count",
    "limit_days",
)
PAUSE_COLUMNS = ("case", "kind", "started_at", "ended_at", "procedure")
HANDLING_COLUMNS = ("scope", "parent", "day", "item_code", "days", "cases")
CURSOR_COLUMNS = (
    "case",
    "version",
    "rev",
    "scope",
    "item_code",
    "filed_on",
    "proxy",
    "accepted_on",
    "decided_on",
    "approved",
    "on_time",
    "handling_days",
    "visits",
    "open",
    "red",
    "reviews",
    "counted_at",
)
NOW_COLUMNS = ("scope", "parent", "item_code", "open", "red")


def _environment() -> None:
    # Its own folder for the site's files (and the SQLite database unless one is named);
    # PostgreSQL keeps its default pool, as an app process would.
    os.environ["TONGBAN_VAR_DIR"] = tempfile.mkdtemp(prefix="tongban-bench-dashboard-")


# -- the tree and the catalogue ----------------------------------------------------------


async def _import_tree() -> int:
    from core.tenancy.tables import Unit
    from core.tenancy.treegen import city_rows, to_csv
    from core.tenancy.units_import import import_units

    rows = city_rows(GENERATED, parent_code=CITY, counties=16)
    if not await Unit.exists().where(Unit.code == rows[0]["code"]):
        report = await import_units(to_csv(rows), source="bench")
        if not report.ok:
            raise SystemExit([p.text("en") for p in report.errors][:5])
    return await Unit.count()


async def _filing_units() -> list[tuple[int, str, bool]]:
    """(id, path, is a window) of every village and township service centre."""
    from core.tenancy.tables import Unit

    villages = await Unit.select(Unit.id, Unit.path).where(Unit.kind == "village").order_by(Unit.id)
    windows = (
        await Unit.select(Unit.id, Unit.path)
        .where((Unit.kind == "service_centre") & (Unit.level == "township"))
        .order_by(Unit.id)
    )
    return [(u["id"], u["path"], False) for u in villages] + [
        (u["id"], u["path"], True) for u in windows
    ]


async def _items() -> list[tuple[str, int, int, int]]:
    """(code, version id, visits, committed days) of every installed item."""
    from core.catalog.registry import get_catalog
    from core.catalog.versions import item_version_id

    found = []
    for item in sorted(get_catalog().items.values(), key=lambda i: i.code):
        found.append((item.code, await item_version_id(item), item.visits, item.committed_days))
    return found


# -- cases and their aggregates ------------------------------------------------------------


def _at(day: dt.date, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


@functools.cache
def _ancestors(path: str) -> list[tuple[str, str]]:
    parts = [p for p in path.split("/") if p]
    result, parent = [], ""
    for i in range(len(parts)):
        scope = "/" + "/".join(parts[: i + 1]) + "/"
        result.append((scope, parent))
        parent = scope
    return result


class Generator:
    """Cases and, in the same pass, what each adds to the aggregates (at its leaf scope)."""

    def __init__(self, units, items, calendar, *, text: bool, seed: int = 2026):
        self.rng = random.Random(seed)
        # SQLite takes ISO strings (what Piccolo stores); PostgreSQL's COPY takes objects.
        self.text = text
        self.units = units
        self.items = items
        self.weights = [8 if days else 3 for _, _, _, days in items]
        self.calendar = calendar
        day, self.working = START, []
        while day <= END:
            if calendar.is_working_day(day):
                self.working.append(day)
            day += dt.timedelta(days=1)
        self.days: dict[tuple, list[int]] = defaultdict(lambda: [0] * 10)
        self.handling: dict[tuple, int] = defaultdict(int)
        self.now: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        self.today = NOW.date()

    def chunk(self, first_id: int, count: int) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """Case rows, pause rows and cursor rows (what each case contributed, as counted)."""
        rng, cal = self.rng, self.calendar
        cases, pauses, cursors = [], [], []
        counted_at = self.moment(END, 23, 0)
        for case_id in range(first_id, first_id + count):
            unit_id, path, window = rng.choice(self.units)
            code, version, visits, limit = rng.choices(self.items, self.weights)[0]
            filed_day = rng.choice(self.working)
            submitted = self.moment(filed_day, 9, rng.randrange(60))
            leaf = self.days[(path, filed_day, code)]
            leaf[0] += 1
            leaf[1] += 0 if window else 1
            state, outcome, accepted, decided, due, light = "refused", "", None, None, None, ""
            accepted_on = decided_on = None
            approved = on_time = opened = overdue = False
            taken = 0
            if rng.random() >= 0.03:
                accepted_day = filed_day if rng.random() < 0.8 else cal.next_working_day(filed_day)
                accepted = self.moment(accepted_day, 10, rng.randrange(60))
                paused = rng.randint(1, 5) if limit and rng.random() < 0.05 else 0
                spread = max(1.0, limit * 0.4)
                taken = (
                    max(0, round(rng.gauss(limit * 0.6, spread)))
                    if limit
                    else int(rng.random() < 0.1)
                )
                decided_day = cal.add_working_days(accepted_day, taken + paused)
                due = cal.add_working_days(accepted_day, limit + paused)
                if paused:
                    pauses.append(
                        (
                            case_id,
                            "supplement",
                            self.moment(accepted_day, 12, 0),
                            self.moment(cal.add_working_days(accepted_day, paused), 9, 0),
                            "",
                        )
                    )
                accepted_on = accepted_day
                if accepted_day <= END:
                    self.days[(path, accepted_day, code)][2] += 1
                if decided_day <= self.today:
                    decided = self.moment(decided_day, 15, rng.randrange(60))
                    decided_on, on_time = decided_day, taken <= limit
                    approved = rng.random() < 0.95
                    state, outcome = ("delivered", "approved") if approved else ("denied", "denied")
                    counts = self.days[(path, decided_day, code)]
                    counts[3] += 1
                    counts[4 if approved else 5] += 1
                    counts[6] += taken <= limit
                    counts[7] += visits <= 1
                    counts[8] += visits == 0
                    counts[9] += taken
                    self.handling[(path, decided_day, code, taken)] += 1
                else:
                    state, opened, taken = "in_review", True, 0
                    overdue = self.today > due
                    light = "red" if overdue else "green"
                    gauges = self.now[(path, code)]
                    gauges[0] += 1
                    gauges[1] += overdue
            cases.append(
                (
                    case_id,
                    code,
                    version,
                    state,
                    outcome,
                    "",
                    "window" if window else "proxy",
                    unit_id,
                    unit_id,
                    path,
                    "decide",
                    "0",
                    submitted,
                    decided or accepted or submitted,
                    submitted,
                    accepted,
                    decided,
                    self.day(due),
                    light,
                    "",
                    3,
                    limit,
                )
            )
            cursors.append(
                (
                    case_id,
                    3,
                    1,
                    path,
                    code,
                    self.day(filed_day),
                    not window,
                    self.day(accepted_on),
                    self.day(decided_on),
                    approved,
                    on_time,
                    taken,
                    visits,
                    opened,
                    overdue,
                    "[]",
                    counted_at,
                )
            )
        return cases, pauses, cursors

    def moment(self, day: dt.date, hour: int, minute: int):
        at = _at(day, hour, minute)
        return at.isoformat(" ") if self.text else at

    def day(self, day: dt.date | None):
        return day.isoformat() if self.text and day is not None else day

    def aggregate_rows(self) -> tuple[list[tuple], list[tuple], list[tuple]]:
        """The leaf counts spread over every ancestor scope, as table rows."""
        days: dict[tuple, list[int]] = defaultdict(lambda: [0] * 10)
        for (path, day, code), counts in self.days.items():
            for scope, parent in _ancestors(path):
                row = days[(scope, parent, day, code)]
                for i, value in enumerate(counts):
                    row[i] += value
        handling: dict[tuple, int] = defaultdict(int)
        for (path, day, code, taken), n in self.handling.items():
            for scope, parent in _ancestors(path):
                handling[(scope, parent, day, code, min(taken, 999))] += n
        now: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
        for (path, code), (opened, red) in self.now.items():
            for scope, parent in _ancestors(path):
                row = now[(scope, parent, code)]
                row[0] += opened
                row[1] += red
        day = self.day
        return (
            sorted((s, p, day(d), c, *counts) for (s, p, d, c), counts in days.items()),
            sorted((s, p, day(d), c, b, n) for (s, p, d, c, b), n in handling.items()),
            sorted((*key, *counts) for key, counts in now.items()),
        )


async def _copy(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY on PostgreSQL, executemany on SQLite (one transaction)."""
    from core.db import get_engine, is_postgres
    from core.settings import get_settings

    if not rows:
        return
    if is_postgres():
        import asyncpg

        connection = await asyncpg.connect(get_settings().database_url)
        try:
            await connection.copy_records_to_table(table, records=rows, columns=columns)
        finally:
            await connection.close()
        return
    import sqlite3

    connection = sqlite3.connect(get_engine().path)
    try:
        # A scratch database being loaded: no fsync per page.
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-200000")
        marks = ", ".join("?" for _ in columns)
        names = ", ".join(f'"{c}"' for c in columns)
        connection.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        connection.commit()
    finally:
        connection.close()


async def _seed(count: int) -> tuple[int, float]:
    from core.cases.tables import Case
    from core.db import is_postgres
    from core.deadlines.site_calendar import site_calendar
    from core.reports.contribution import CASE_COLUMNS as COUNTS  # the order counts[i] follows

    day_columns = ("scope", "parent", "day", "item_code", *COUNTS)
    units = await _filing_units()
    items = await _items()
    generator = Generator(units, items, await site_calendar(), text=not is_postgres())
    last = await Case.select(Case.id).order_by(Case.id, ascending=False).first()
    first_id = (last["id"] if last else 0) + 1
    started = time.perf_counter()
    for offset in range(0, count, CHUNK):
        n = min(CHUNK, count - offset)
        cases, pauses, cursors = generator.chunk(first_id + offset, n)
        await _copy("cases_case", CASE_COLUMNS, cases)
        await _copy("cases_pause", PAUSE_COLUMNS, pauses)
        await _copy("reports_cursor", CURSOR_COLUMNS, cursors)
        print(
            f"  {offset + n:>10,} cases inserted ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    days, handling, now = generator.aggregate_rows()
    for start in range(0, len(days), 500_000):
        await _copy("reports_day", day_columns, days[start : start + 500_000])
    await _copy("reports_handling", HANDLING_COLUMNS, handling)
    await _copy("reports_now", NOW_COLUMNS, now)
    print(
        f"  {len(days):,} day rows, {len(handling):,} histogram rows, {len(now):,} gauge rows "
        f"({time.perf_counter() - started:.0f} s in all)",
        flush=True,
    )
    if is_postgres():
        await Case.raw("SELECT setval('cases_case_id_seq', (SELECT MAX(id) FROM cases_case))")
        for table in (
            "cases_case",
            "cases_pause",
            "reports_day",
            "reports_handling",
            "reports_now",
        ):
            await Case.raw(f"ANALYZE {table}")
    else:
        await Case.raw("ANALYZE")
    return len(days), time.perf_counter() - started


# -- timing ---------------------------------------------------------------------------------


async def _median(work, repeat: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = await work()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


async def _login(client) -> None:
    from tests.helpers import DEMO_PASSWORDS

    await client.get("/login")
    token = client.cookies.get("tongban_csrf", "")
    response = await client.post(
        "/login",
        data={"username": "admin", "password": DEMO_PASSWORDS["admin"], "_csrf_token": token},
        follow_redirects=True,
    )
    if response.status_code != 200:
        raise SystemExit(f"login failed: {response.status_code}")


async def run(count: int, period: str, reconciling: bool) -> None:
    import httpx

    from core import db
    from core.bootstrap import prepare
    from core.reports import access, dashboard, scan
    from core.reports.figures import Figures
    from core.reports.periods import Period
    from core.settings import get_settings
    from core.tenancy.auth import load_principal
    from core.tenancy.tables import Membership, Staff, Unit
    from core.web.app import create_app

    settings = get_settings()
    print(f"database: {settings.database_url.split('@')[-1]}", flush=True)
    await prepare(settings)
    await db.start()
    app = create_app(settings)
    for hook in app.on_startup:
        await hook()
    units = await _import_tree()
    print(f"  {units:,} units in the tree", flush=True)
    rows, seed_s = await _seed(count)

    span = Period(START, END) if period == "year" else Period(dt.date(2026, 10, 1), END)
    admin = await Staff.select(Staff.id).where(Staff.username == "admin").first()
    principal = await load_principal(admin["id"])
    county = await Unit.select(*access.UNIT_COLUMNS).where(Unit.code == "519901000000").first()
    township = await Unit.select(*access.UNIT_COLUMNS).where(Unit.code == "519901101000").first()
    city = await Unit.select(*access.UNIT_COLUMNS).where(Unit.code == CITY).first()
    assert await Membership.exists().where(Membership.staff == admin["id"])
    results = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench.local"
    ) as client:
        await _login(client)
        for label, unit in (("city", city), ("county", county), ("township", township)):
            query = {
                "unit": unit["code"],
                "start": span.start.isoformat(),
                "end": span.end.isoformat(),
            }

            async def page(query=query):
                response = await client.get("/reports/", params=query)
                assert response.status_code == 200, response.status_code
                return len(response.content)

            async def built(unit=unit):
                return await dashboard.build(principal, unit, span)

            page_s, size = await _median(page)
            figures_s, board = await _median(built)
            start = time.perf_counter()
            full = await scan.scan(unit["path"], span.start, span.end)
            scan_s = time.perf_counter() - start
            agree = scan.same(board.totals, full.totals) and all(
                scan.same(row.figures, full.by_child.get(row.key, Figures()))
                for row in board.children
            )
            results.append(
                (label, unit, full.cases_read, page_s, figures_s, scan_s, agree, size, board)
            )
            print(f"  {label} measured", flush=True)
    reconciled = None
    if reconciling:
        from core.reports.reconcile import reconcile

        start = time.perf_counter()
        _, outcome = await reconcile(days=35, repair=False, now=NOW)
        reconciled = (time.perf_counter() - start, outcome)
    for hook in app.on_shutdown:
        await hook()

    print(
        f"\n{count:,} cases, {units:,} units, {rows:,} aggregate day rows (seeded in {seed_s:.0f} s);"
        f" period {span.start} – {span.end}\n"
    )
    print(
        f"{'scope':<10}{'cases read by scan':>19}{'page':>10}{'page size':>11}{'figures':>10}"
        f"{'full scan (baseline)':>22}{'scan/page':>11}{'same figures':>14}"
    )
    for label, _, read, page_s, figures_s, scan_s, agree, size, _ in results:
        print(
            f"{label:<10}{read:>19,}{page_s * 1000:>8.0f}ms{size / 1024:>9.0f}KB"
            f"{figures_s * 1000:>8.0f}ms"
            f"{scan_s:>21.2f}s{scan_s / page_s:>10.0f}x{'yes' if agree else 'NO':>14}"
        )
    print()
    for label, *_, board in results:
        t = board.totals
        print(
            f"{label:<10} filed {t.filed:,}  finished {t.finished:,}  on time "
            f"{(t.on_time_share or 0):.1%}  red now {t.red_now:,}  avg {t.avg_handling or 0:.2f} d"
            f"  p90 {t.p90_handling} d  ≤1 trip {(t.le1_share or 0):.1%}"
        )
    if reconciled:
        seconds, outcome = reconciled
        print(
            f"\nnightly reconciliation (every case recomputed, 35 days of rows and the gauges "
            f"checked): {seconds:.1f} s for {outcome.cases_checked:,} cases — "
            + ("no drift" if not outcome.drifted else f"DRIFT: {outcome.samples[:3]}")
        )
    await db.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--period", choices=("month", "year"), default="month")
    parser.add_argument(
        "--reconcile", action="store_true", help="also time a nightly reconciliation (dry run)"
    )
    args = parser.parse_args()
    _environment()
    asyncio.run(run(args.cases, args.period, args.reconcile))


if __name__ == "__main__":
    main()
