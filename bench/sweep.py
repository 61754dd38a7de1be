"""The deadline sweep's cost at 100k and 1M open cases, side by side.

    .venv/bin/python bench/sweep.py                       # SQLite in a temporary folder
    .venv/bin/python bench/sweep.py --sizes 100000 1000000 --changing 1000
    TONGBAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_sweep \\
        .venv/bin/python bench/sweep.py                   # an empty scratch database

Open cases are inserted straight into the tables (COPY on PostgreSQL, one
executemany on SQLite) — the sweep does not care how they got there. At each
size the same number of cases (``--changing``) is due for a light change
(green → yellow, each recorded as an event with its outbox message, in its own
transaction); every other case has its next change in the future.

Figures, per size:

- **sweep**: ``core.cases.sweep.run_sweep`` — finds the due rows through the
  ``light_changes_at`` index and changes them;
- **find due**: the sweep's index query alone;
- **baseline — naive scan**: what a sweep without ``light_changes_at`` must do:
  read every open case and evaluate its clock (no writes at all).

The claim to check: the sweep's cost stays flat from 100k to 1M (it grows with
the cases that change light), the naive scan's grows tenfold.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _environment() -> None:
    if not os.environ.get("TONGBAN_DATABASE_URL"):
        os.environ["TONGBAN_VAR_DIR"] = tempfile.mkdtemp(prefix="tongban-bench-sweep-")
    os.environ.setdefault("TONGBAN_DB_POOL", "10")  # PostgreSQL: a pool, as in production


COLUMNS = (
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
    "due_on",
    "light",
    "light_changes_at",
    "last_event_hash",
    "event_count",
    "limit_days",
)


async def _context() -> dict:
    """Units and an item version for the rows, from the demo site."""
    from core.catalog.tables import ItemVersion
    from core.tenancy.tables import Unit

    village = await Unit.select(Unit.id, Unit.path).where(Unit.code == "509910101201").first()
    window = await Unit.select(Unit.id).where(Unit.code == "509910101000-BM").first()
    version = (
        await ItemVersion.insert(
            ItemVersion(
                code="BENCH0000001", version=1, fingerprint="bench", plugin="bench", definition={}
            )
        ).returning(ItemVersion.id)
    )[0]["id"]
    return {"village": village, "window": window["id"], "version": version}


def _rows(count: int, ctx: dict, now: dt.datetime, *, due: bool, seed: int) -> list[tuple]:
    """``count`` open cases; due ones turn yellow at ``now``, the others change later."""
    rng = random.Random(seed)
    accepted_due = now - dt.timedelta(days=6)  # four working days of five used: yellow
    rows = []
    for _ in range(count):
        accepted = accepted_due if due else now - dt.timedelta(hours=rng.randint(1, 48))
        changes = (
            now - dt.timedelta(minutes=1) if due else now + dt.timedelta(days=rng.randint(1, 30))
        )
        rows.append(
            (
                "BENCH0000001",
                ctx["version"],
                "in_review",
                "",
                "",
                "proxy",
                ctx["village"]["id"],
                ctx["window"],
                ctx["village"]["path"],
                "decide",
                "0",
                accepted,
                accepted,
                accepted,
                accepted,
                (now + dt.timedelta(days=10)).date(),
                "green",
                changes,
                "",
                0,
                5,
            )
        )
    return rows


async def _insert(rows: list[tuple]) -> None:
    from core.db import get_engine, is_postgres
    from core.settings import get_settings

    if is_postgres():
        import asyncpg

        connection = await asyncpg.connect(get_settings().database_url)
        try:
            await connection.copy_records_to_table("cases_case", records=rows, columns=COLUMNS)
        finally:
            await connection.close()
        return
    import sqlite3

    path = get_engine().path
    connection = sqlite3.connect(path)
    try:
        marks = ", ".join("?" for _ in COLUMNS)
        names = ", ".join(f'"{c}"' for c in COLUMNS)
        converted = [
            tuple(v.isoformat(" ") if isinstance(v, dt.datetime) else v for v in row)
            for row in rows
        ]
        connection.executemany(f"INSERT INTO cases_case ({names}) VALUES ({marks})", converted)
        connection.commit()
    finally:
        connection.close()


async def _analyse() -> None:
    from core.cases.tables import Case
    from core.db import is_postgres

    await Case.raw("ANALYZE" if not is_postgres() else "ANALYZE cases_case")


async def _find_due(now: dt.datetime) -> int:
    """The sweep's own index query, without handling the rows."""
    from core.cases.sweep import due_rows
    from core.cases.tables import Case

    return len([case_id async for case_id in due_rows(Case, now)])


async def _naive_scan(now: dt.datetime) -> int:
    """Read every open case and evaluate its clock: what the sweep avoids."""
    from core.cases import timing
    from core.cases.states import CLOCK_STATES
    from core.cases.tables import Case
    from core.deadlines.lights import light_for
    from core.deadlines.site_calendar import site_calendar, yellow_share

    calendar = await site_calendar()
    share = yellow_share()
    changing, last = 0, 0
    while True:
        batch = await (
            Case.select(Case.id, Case.accepted_at, Case.limit_days, Case.light)
            .where(Case.state.is_in(list(CLOCK_STATES)) & (Case.id > last))
            .order_by(Case.id)
            .limit(20_000)
        )
        if not batch:
            return changing
        last = batch[-1]["id"]
        for case in batch:
            state = timing.case_clock(case, [], calendar).state(now)
            light = light_for(state.share_used, overdue=state.overdue, yellow_share=share)
            changing += light.value != case["light"]


async def _timed(coro) -> tuple[float, object]:
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result


async def run(sizes: list[int], changing: int, naive: bool) -> None:
    from core import db
    from core.bootstrap import prepare
    from core.cases.sweep import run_sweep
    from core.settings import get_settings

    settings = get_settings()
    print(f"database: {settings.database_url.split('@')[-1]}", flush=True)
    await prepare(settings)
    await db.start()
    ctx = await _context()
    now = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)  # a Wednesday, 10:00 in Shanghai
    results = []
    open_cases = 0
    for index, size in enumerate(sizes):
        background = size - open_cases - changing
        start = time.perf_counter()
        for chunk in range(0, background, 100_000):
            await _insert(_rows(min(100_000, background - chunk), ctx, now, due=False, seed=chunk))
        await _insert(_rows(changing, ctx, now, due=True, seed=-index - 1))
        open_cases = size
        await _analyse()
        print(
            f"  {size:>10,} open cases inserted in {time.perf_counter() - start:.1f} s", flush=True
        )
        find_s, found = await _timed(_find_due(now))
        sweep_s, report = await _timed(run_sweep(now))
        assert found == changing and report.case_lights == changing, (found, report)
        naive_s, naive_found = await _timed(_naive_scan(now)) if naive else (float("nan"), None)
        results.append((size, find_s, sweep_s, naive_s))
    await db.stop()

    print(f"\nsweep of {changing:,} cases changing light (green → yellow, one event each)\n")
    print(
        f"{'open cases':>12} {'find due':>10} {'sweep':>9} {'per change':>11}"
        f" {'naive scan (baseline)':>22} {'naive/sweep':>12}"
    )
    for size, find_s, sweep_s, naive_s in results:
        print(
            f"{size:>12,} {find_s * 1000:>8.1f}ms {sweep_s:>8.2f}s {sweep_s / changing * 1000:>9.2f}ms"
            f" {naive_s:>21.2f}s {naive_s / sweep_s:>11.1f}x"
        )
    if len(results) >= 2:
        (a, _, sweep_a, naive_a), (b, _, sweep_b, naive_b) = results[0], results[-1]
        print(
            f"\nfrom {a:,} to {b:,} open cases (×{b / a:.0f}): "
            f"sweep ×{sweep_b / sweep_a:.2f}, naive scan ×{naive_b / naive_a:.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--changing", type=int, default=1_000)
    parser.add_argument("--no-naive", action="store_true", help="skip the baseline scan")
    args = parser.parse_args()
    _environment()
    asyncio.run(run(sorted(args.sizes), args.changing, not args.no_naive))


if __name__ == "__main__":
    main()
