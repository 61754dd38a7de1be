"""A subtree is one indexed query on both engines — for units and for the cases in it."""

from __future__ import annotations

from core.cases.tables import Case, Task
from core.db import get_engine, is_postgres
from core.tenancy.scope import case_visibility, under
from core.tenancy.tables import Unit
from tests.tenancy.support import principal

PREFIX = "/509900000000/509910000000/"


async def plan(sql: str) -> str:
    """The engine's plan for ``sql``; PostgreSQL is told to prefer any usable index, so
    that a tiny test table shows what a real one would use."""
    if is_postgres():
        async with get_engine().transaction():
            await Unit.raw("SET LOCAL enable_seqscan = off")
            rows = await Unit.raw(f"EXPLAIN {sql}")
        return "\n".join(r["QUERY PLAN"] for r in rows)
    rows = await Unit.raw(f"EXPLAIN QUERY PLAN {sql}")
    return "\n".join(r["detail"] for r in rows)


async def test_the_unit_subtree_query_uses_the_prefix_index(catalogue):
    query = Unit.select(Unit.id).where(under(Unit.path, PREFIX))
    found = await query
    assert len(found) > 10
    text = await plan(str(query))
    if is_postgres():
        assert "Index" in text and "tenancy_unit" in text and "Seq Scan" not in text, text
        indexes = await Unit.raw(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'tenancy_unit_path_prefix'"
        )
        assert "varchar_pattern_ops" in indexes[0]["indexdef"]  # LIKE under any collation
    else:
        assert "USING COVERING INDEX tenancy_unit_path_prefix" in text, text


async def test_a_township_clerks_cases_are_one_indexed_query(catalogue):
    where = case_visibility(await principal("clerk"), Case, Task)
    query = Case.select(Case.id).where(where)
    await query  # it runs
    text = await plan(str(query))
    if is_postgres():
        assert "Seq Scan on cases_case" not in text and "Seq Scan on tenancy_unit" not in text, text
    else:
        assert not [line for line in text.splitlines() if line.startswith("SCAN")], text
        assert "tenancy_unit_path_prefix" in text and "cases_case_filed_unit" in text, text
