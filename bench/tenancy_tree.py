"""Unit-tree import and subtree queries at 5,000 and 50,000 units, side by side.

    .venv/bin/python bench/tenancy_tree.py                    # SQLite in a temporary folder
    .venv/bin/python bench/tenancy_tree.py --sizes 5000 50000 --cases 20000
    TONGBAN_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/bench_tree \\
        .venv/bin/python bench/tenancy_tree.py                # an empty scratch database

For each size a city tree is generated (``core.tenancy.treegen``: counties of
18 townships and 278 villages at 5,000; bigger counties at 50,000), imported
through ``import_units`` exactly as ``tongban units import`` does (every row
validated, then one transaction), and measured; then it is deleted before the
next size. Bare cases are spread over the villages for the case query.

Figures, per size:

- **import**: the whole CSV, validation included, in seconds and units/s;
- **township subtree / county subtree**: ``path LIKE '/…/code/%'`` — the one
  indexed prefix query of ``core.tenancy.scope.under``;
- **township's cases**: the scoping layer's where-clause for a township
  window clerk (``filed_unit IN (units under the anchor)``), counting cases;
- **baseline — walk the tree**: the same county subtree found without the
  materialised path, one ``parent IN (…)`` query per level, as an adjacency
  list must;
- **floor**: ``SELECT 1`` through the same engine — what any query costs
  before it reads a row (on SQLite, Piccolo opens a connection per query);
- **address input: suggestions**: ``core.web.places.suggest`` for seven typed
  digits — what a filing form reads now, as the user types (at most 20 rows);
- **baseline — every place**: what every filing page render read before, to
  fill its ``<datalist>``: all active places of the tree.

The claims to check: import time grows linearly (≈10× from 5k to 50k); a
subtree query's time follows the subtree's size, not the tree's (the township
figure stays flat); and it beats walking the tree. The query plans printed at
the end show both engines answering the prefix query from an index.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _environment() -> None:
    if not os.environ.get("TONGBAN_DATABASE_URL"):
        os.environ["TONGBAN_VAR_DIR"] = tempfile.mkdtemp(prefix="tongban-bench-tree-")
    os.environ.setdefault("TONGBAN_DB_POOL", "4")  # PostgreSQL: pooled, as in production


ROOT_PARENT = "509900000000"  # the demo city: generated counties hang under it


def _timed(runs: list[float]) -> str:
    return f"{statistics.median(runs) * 1000:8.2f} ms"


async def _median(fn, repeat: int) -> tuple[list[float], object]:
    await fn()  # warm the caches: every figure is a steady-state one
    runs, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await fn()
        runs.append(time.perf_counter() - started)
    return runs, result


async def _insert_cases(count: int, villages: list[dict]) -> None:
    """Bare cases straight into the table: the query does not care how they were filed."""
    from core.catalog.tables import ItemVersion
    from core.db import get_engine, is_postgres

    version = (await ItemVersion.select(ItemVersion.id).first())["id"]
    rng = random.Random(7)
    rows = []
    for n in range(count):
        village = rng.choice(villages)
        rows.append(
            (f"BENCH{n:013d}", "000115002000", version, "submitted", village["id"], village["path"])
        )
    if is_postgres():
        import asyncpg

        from core.settings import get_settings

        connection = await asyncpg.connect(get_settings().database_url)
        try:
            await connection.copy_records_to_table(
                "cases_case",
                records=rows,
                columns=[
                    "tracking_code",
                    "item_code",
                    "item_version",
                    "state",
                    "filed_unit",
                    "scope_path",
                ],
            )
        finally:
            await connection.close()
    else:
        import sqlite3

        path = get_engine().path
        connection = sqlite3.connect(path)
        with connection:
            connection.executemany(
                "INSERT INTO cases_case (tracking_code, item_code, item_version, state, "
                "filed_unit, scope_path) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
        connection.close()


async def _analyze() -> None:
    """Fresh statistics after a bulk load, as autovacuum would soon give a real database."""
    from core.db import is_postgres
    from core.tenancy.tables import Unit

    if is_postgres():
        await Unit.raw("ANALYZE tenancy_unit")
        await Unit.raw("ANALYZE cases_case")
        await Unit.raw("ANALYZE cases_task")
    else:
        await Unit.raw("ANALYZE")


async def _walk(top_id: int) -> int:
    """The baseline: a subtree by adjacency, one query per level."""
    from core.tenancy.tables import Unit

    found, frontier = 1, [top_id]
    while frontier:
        rows = await Unit.select(Unit.id).where(Unit.parent.is_in(frontier))
        frontier = [r["id"] for r in rows]
        found += len(frontier)
    return found


async def _measure(size: int, cases: int, repeat: int) -> dict:
    from core.cases.tables import Case, Task
    from core.tenancy import treegen
    from core.tenancy.auth import load_principal
    from core.tenancy.scope import case_visibility, under
    from core.tenancy.tables import Membership, Staff, Unit
    from core.tenancy.units_import import import_units
    from core.web.places import suggest

    rows = treegen.city_of_size(size, city_code="519900000000", parent_code=ROOT_PARENT)
    text = treegen.to_csv(rows)

    started = time.perf_counter()
    report = await import_units(text, source=f"bench-{size}.csv")
    took = time.perf_counter() - started
    assert report.ok and report.created == len(rows), [e.text() for e in report.errors[:5]]

    county = await Unit.select(Unit.id, Unit.path).where(Unit.code == "519901000000").first()
    town = await Unit.select(Unit.id, Unit.path).where(Unit.code == "519901101000").first()
    villages = await Unit.select(Unit.id, Unit.path).where(
        under(Unit.path, "/509900000000/") & (Unit.kind == "village") & Unit.code.like("5199%")
    )
    await _insert_cases(cases, villages)
    await _analyze()

    centre = await Unit.select(Unit.id).where(Unit.code == "519901101000-BM").first()
    staff = Staff(username=f"bench{size}", display_name="bench", password_hash="x")
    await staff.save()
    await Membership.insert(Membership(staff=staff.id, unit=centre["id"], role="window_clerk"))
    clerk = await load_principal(staff.id)
    visible = case_visibility(clerk, Case, Task)

    async def township():
        return await Unit.count().where(under(Unit.path, town["path"]))

    async def county_subtree():
        return await Unit.count().where(under(Unit.path, county["path"]))

    async def township_cases():
        return await Case.count().where(visible)

    async def walk():
        return await _walk(county["id"])

    async def floor():
        return len(await Unit.raw("SELECT 1 AS one"))

    async def places_typed():
        return len(await suggest("5199011"))  # an address input, seven digits typed

    async def places_all():
        # What a filing page read on every render before: every place, for its <datalist>.
        rows = await Unit.select(Unit.code, Unit.name, Unit.name_en, Unit.path).where(
            Unit.active == True  # noqa: E712
        )
        return len(sorted((r for r in rows if len(r["code"]) == 12), key=lambda r: r["path"]))

    figures = {"size": len(rows), "import": took}
    for name, fn in [
        ("township", township),
        ("county", county_subtree),
        ("cases", township_cases),
        ("walk", walk),
        ("floor", floor),
        ("places", places_typed),
        ("all_places", places_all),
    ]:
        runs, result = await _median(fn, repeat)
        figures[name] = (runs, result)
    assert figures["walk"][1] == figures["county"][1], "the walk and the prefix query disagree"
    figures["plans"] = {
        "subtree": await _explain(
            str(Unit.select(Unit.id).where(under(Unit.path, county["path"])))
        ),
        "cases": await _explain(str(Case.select(Case.id).where(visible))),
    }

    # Clean up for the next size: the bare cases, the clerk, the tree.
    await Case.delete().where(Case.tracking_code.like("BENCH%"))
    await Membership.delete().where(Membership.staff == staff.id)
    await Staff.delete().where(Staff.id == staff.id)
    await Unit.delete().where(Unit.code.like("5199%"))
    return figures


async def _explain(sql: str) -> list[str]:
    from core.db import is_postgres
    from core.tenancy.tables import Unit

    if is_postgres():
        return [r["QUERY PLAN"] for r in await Unit.raw(f"EXPLAIN {sql}")]
    return [r["detail"] for r in await Unit.raw(f"EXPLAIN QUERY PLAN {sql}")]


async def main(sizes: list[int], cases: int, repeat: int) -> None:
    from core import db
    from core.bootstrap import prepare
    from core.catalog.versions import sync_versions
    from core.settings import get_settings

    settings = get_settings()
    await prepare(settings)
    await db.start()
    await sync_versions()
    engine = "PostgreSQL" if not settings.is_sqlite else "SQLite"
    print(f"unit tree on {engine}; {cases:,} cases spread over the villages; median of {repeat}")
    results = [await _measure(size, cases, repeat) for size in sizes]
    base = results[0]
    header = "".join(f"{r['size']:>16,} units" for r in results)
    print(f"\n{'':34}{header}   ratio")
    line = "".join(f"{r['import']:>17.2f} s    " for r in results)
    print(f"{'import (validate + insert)':34}{line}{results[-1]['import'] / base['import']:6.1f}x")
    line = "".join(f"{r['size'] / r['import']:>14,.0f} units/s" for r in results)
    print(f"{'':34}{line}")
    for key, label in [
        ("township", "township subtree (prefix query)"),
        ("county", "county subtree (prefix query)"),
        ("cases", "township clerk's cases (scoped)"),
        ("walk", "baseline: walk the county by level"),
        ("floor", "floor: SELECT 1 through the engine"),
        ("places", "address input: suggestions"),
        ("all_places", "baseline: every place (old form)"),
    ]:
        cells = "".join(f"{_timed(r[key][0])} ({r[key][1]:>6,})" for r in results)
        ratio = statistics.median(results[-1][key][0]) / statistics.median(base[key][0])
        print(f"{label:34}{cells}{ratio:6.1f}x")
    walk_vs_prefix = [
        statistics.median(r["walk"][0]) / statistics.median(r["county"][0]) for r in results
    ]
    print(
        "\nwalking the tree costs "
        + ", ".join(f"{x:.1f}x" for x in walk_vs_prefix)
        + " the prefix query for the same county"
    )
    for name, label in [("subtree", "a county's units"), ("cases", "the township clerk's cases")]:
        print(f"\nquery plan, {label} ({results[-1]['size']:,} units):")
        for line in results[-1]["plans"][name]:
            print(f"  {line}")
    await db.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--cases", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    _environment()
    asyncio.run(main(args.sizes, args.cases, args.repeat))
