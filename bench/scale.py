"""Scale benchmark: the same three reads at growing case counts, as time ratios.

    .venv/bin/python bench/scale.py                      # 100k, 1M, 10M (long: hours of CPU)
    .venv/bin/python bench/scale.py --sizes 20000,200000 # a quick run

A private PostgreSQL cluster (initdb in a temporary folder, a free port) gets the
demo site; cases are generated in the database (INSERT … SELECT generate_series),
spread over every village of the demo tree, each with an open task at its
township's window. Then, through the real query code and a window clerk's real
principal, it times (median of repeated runs):

- township case list — the page "Cases in my area" (``/cases/area/``): the 50
  newest cases the clerk may see, by ``core.cases.area.cases_in_area`` (tenancy
  scoping with ``case_visibility(..., newest_first=True)``; the default ``IN``
  shape of the same clause is timed too, for comparison);
- tracking-code look-up — one case by its code;
- clerk queue — the open tasks at the clerk's window (``core.cases.queries.queue``).

Prints each time and its ratio to the smallest size. Target: township list at 1M
no more than 1.5× its time at 100k.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.support import PrivatePostgres, site_env  # noqa: E402

REPEAT = 15


def prepare(sizes: list[int]) -> tuple[PrivatePostgres, str, Path]:
    cluster = PrivatePostgres()
    cluster.start()
    url = cluster.create_database("tongban_scale")
    var = Path(tempfile.mkdtemp(prefix="tongban-scale-"))
    env = site_env(url, "", var)
    env.pop("TONGBAN_BROKER_URL")
    for args in (["migrate"], ["site", "load", "demo"]):
        subprocess.run([sys.executable, "-m", "core.cli", *args], env=env, cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
    os.environ.update({k: v for k, v in env.items() if k.startswith("TONGBAN_")})
    os.environ["TONGBAN_DB_POOL"] = "4"
    return cluster, url, var


GENERATE = """
INSERT INTO cases_case (tracking_code, item_code, item_version, state, outcome, data_enc,
    channel, filed_unit, filed_by, accepting_unit, scope_path, current_step, fee_total,
    created_at, updated_at, submitted_at, light, last_event_hash, event_count, limit_days)
SELECT 'B' || lpad(g::text, 17, '0'), $1, $2,
       (ARRAY['submitted','accepted','in_review','approved','closed'])[1 + g % 5], '', '',
       'proxy', v.id, NULL, w.id, v.path, 'accept', '0',
       now() - (g || ' seconds')::interval, now(), now(), '', '', 1, 0
  FROM generate_series($3::bigint, $4::bigint) AS g
  JOIN LATERAL (SELECT ($5::bigint[])[1 + g % array_length($5::bigint[], 1)] AS vid) pick ON true
  JOIN tenancy_unit v ON v.id = pick.vid
  JOIN tenancy_unit w ON w.id = (SELECT id FROM tenancy_unit
                                   WHERE code = split_part(v.path, '/', 4) || '-BM')
"""
TASKS = """
INSERT INTO cases_task ("case", step_id, parent_step, unit, role, state, outcome, opinion,
    created_at, silent, batch, signer, light)
SELECT c.id, 'accept', '', c.accepting_unit, 'window_clerk',
       CASE WHEN c.state = 'submitted' THEN 'open' ELSE 'done' END, '', '',
       c.created_at, false, 1, false, ''
  FROM cases_case c WHERE c.id > $1
"""


async def grow_to(connection, have: int, want: int) -> None:
    version = await connection.fetchval(
        "SELECT id FROM catalog_item_version WHERE code = '000115002000' ORDER BY id DESC LIMIT 1"
    )
    villages = [r["id"] for r in await connection.fetch(
        "SELECT id FROM tenancy_unit WHERE level = 'village' ORDER BY id")]  # fmt: skip
    last = await connection.fetchval("SELECT coalesce(max(id), 0) FROM cases_case")
    step = 500_000
    for start in range(have + 1, want + 1, step):
        end = min(start + step - 1, want)
        await connection.execute(GENERATE, "000115002000", version, start, end, villages)
    await connection.execute(TASKS, last)
    await connection.execute("ANALYZE cases_case; ANALYZE cases_task")


async def timed(fn) -> float:
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        await fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def measure(check_everyone: bool = False) -> dict[str, float]:
    from core.cases.area import cases_in_area
    from core.cases.queries import CASE_LIST_COLUMNS, queue
    from core.cases.tables import Case, Task
    from core.tenancy.auth import load_principal
    from core.tenancy.scope import case_visibility
    from core.tenancy.tables import Staff

    clerk = await load_principal(
        (await Staff.select(Staff.id).where(Staff.username == "clerk").first())["id"]
    )
    where = case_visibility(clerk, Case, Task, newest_first=True)  # the listing's shape
    where_in = case_visibility(clerk, Case, Task)  # the default shape, for comparison
    code = (await Case.select(Case.tracking_code).order_by(Case.id).offset(
        await Case.count() // 2).first())["tracking_code"]  # fmt: skip

    async def township_list():  # the page "Cases in my area" (/cases/area/) as the clerk sees it
        rows, more = await cases_in_area(clerk)
        assert len(rows) == 50 and more

    async def township_list_in_shape():
        rows = (
            await Case.select(*CASE_LIST_COLUMNS)
            .where(where_in)
            .order_by(Case.id, ascending=False)
            .limit(50)
        )
        assert len(rows) == 50

    async def tracking_lookup():
        assert await Case.select(Case.id, Case.state).where(Case.tracking_code == code).first()

    async def clerk_queue():
        assert await queue(clerk)

    # Both shapes of the clause are the same set: the same 50 newest, in the same order.
    def newest(clause):
        return Case.select(Case.id).where(clause).order_by(Case.id, ascending=False).limit(50)

    assert await newest(where) == await newest(where_in)
    if check_everyone:  # and for every account of the demo site, at the first size
        for staff in await Staff.select(Staff.id):
            who = await load_principal(staff["id"])
            fast = case_visibility(who, Case, Task, newest_first=True)
            if fast is not None:
                assert await newest(fast) == await newest(case_visibility(who, Case, Task)), who
    return {
        "township case list": await timed(township_list),
        "tracking-code lookup": await timed(tracking_lookup),
        "clerk queue": await timed(clerk_queue),
        "(list, default IN shape)": await timed(township_list_in_shape),
    }


async def main(sizes: list[int]) -> None:
    import asyncpg

    cluster, url, var = prepare(sizes)
    try:
        from core import db

        await db.start()
        connection = await asyncpg.connect(url)
        results: dict[int, dict[str, float]] = {}
        have = 0
        for size in sizes:
            started = time.perf_counter()
            await grow_to(connection, have, size)
            have = size
            print(
                f"{size:>10,} cases generated in {time.perf_counter() - started:.1f}s", flush=True
            )
            results[size] = await measure(check_everyone=size == sizes[0])
            for name, seconds in results[size].items():
                print(f"    {name:<22} {seconds * 1000:8.2f} ms", flush=True)
        await connection.close()
        await db.stop()
        base = sizes[0]
        print(
            f"\nratios to {base:,} cases (median of {REPEAT} runs each; load: {os.getloadavg()[0]:.2f})"
        )
        for size in sizes[1:]:
            for name in results[size]:
                ratio = results[size][name] / results[base][name]
                print(f"  {name:<22} {size:>10,} / {base:,}: {ratio:5.2f}×")
    finally:
        cluster.destroy()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    args = parser.parse_args()
    asyncio.run(main([int(s) for s in args.sizes.split(",")]))
