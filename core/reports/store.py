"""Writing to the aggregate tables: add a :class:`~core.reports.contribution.Delta`.

Each leaf change is added to every prefix of the case's unit path with one
upsert per table (``INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n``,
the same SQL on SQLite and PostgreSQL). Rows are written in key order, so two
transactions adding to the same rows cannot deadlock on PostgreSQL.
Runs inside the caller's transaction.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from core.reports.contribution import Delta, ancestors
from core.reports.tables import ReportDay, ReportHandling, ReportNow


def expand(delta: Delta) -> tuple[dict, Counter, dict]:
    """The delta spread over every ancestor scope: (day rows, handling rows, gauge rows)."""
    days: dict[tuple[str, str, date, str], Counter] = {}
    for (scope, day, item), counts in delta.days.items():
        for node, parent in ancestors(scope):
            days.setdefault((node, parent, day, item), Counter()).update(counts)
    handling: Counter = Counter()
    for (scope, day, item, bucket), cases in delta.handling.items():
        for node, parent in ancestors(scope):
            handling[(node, parent, day, item, bucket)] += cases
    now: dict[tuple[str, str, str], Counter] = {}
    for (scope, item), counts in delta.now.items():
        for node, parent in ancestors(scope):
            now.setdefault((node, parent, item), Counter()).update(counts)
    return days, handling, now


def _upsert_sql(
    table: str, keys: tuple[str, ...], conflict: tuple[str, ...], columns, n: int
) -> str:
    names = (*keys, *columns)
    row = "(" + ", ".join("{}" for _ in names) + ")"
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns)
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES {', '.join([row] * n)} "
        f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {updates}"
    )


async def _write_grouped(table_cls, table: str, keys, conflict, rows: list[tuple[tuple, Counter]]):
    """Upsert rows that share the same set of changed columns in one statement each."""
    groups: dict[tuple[str, ...], list[tuple[tuple, Counter]]] = {}
    for key, counts in sorted(rows, key=lambda r: tuple(str(k) for k in r[0])):
        columns = tuple(sorted(c for c, v in counts.items() if v))
        if columns:
            groups.setdefault(columns, []).append((key, counts))
    for columns, members in groups.items():
        for start in range(0, len(members), 200):
            chunk = members[start : start + 200]
            args: list = []
            for key, counts in chunk:
                args.extend(key)
                args.extend(counts[c] for c in columns)
            await table_cls.raw(_upsert_sql(table, keys, conflict, columns, len(chunk)), *args)


async def apply(delta: Delta) -> None:
    """Add ``delta`` to the aggregates (inside the caller's transaction)."""
    if not delta:
        return
    await write_expanded(*expand(delta))


async def write_expanded(days: dict, handling: Counter, now: dict) -> None:
    """Add already expanded rows (see :func:`expand`) to the aggregate tables."""
    await _write_grouped(
        ReportDay,
        "reports_day",
        ("scope", "parent", "day", "item_code"),
        ("scope", "day", "item_code"),
        list(days.items()),
    )
    await _write_grouped(
        ReportHandling,
        "reports_handling",
        ("scope", "parent", "day", "item_code", "days"),
        ("scope", "day", "item_code", "days"),
        [(key, Counter(cases=n)) for key, n in handling.items() if n],
    )
    await _write_grouped(
        ReportNow,
        "reports_now",
        ("scope", "parent", "item_code"),
        ("scope", "item_code"),
        list(now.items()),
    )
