"""Bulk import: every error with its line number and nothing imported; real-size trees import."""

from __future__ import annotations

import time

from core.tenancy import treegen
from core.tenancy.scope import under
from core.tenancy.tables import AdminEvent, Unit
from core.tenancy.units_import import decode_upload, import_units
from tests.tenancy.support import QIJIANG, principal

HEADER = "code,name,name_en,kind,level,parent_code\n"


async def count() -> int:
    return await Unit.count()


async def test_every_bad_row_is_reported_with_its_line_and_nothing_is_imported(catalogue):
    before = await count()
    text = HEADER + "\n".join(
        [
            f"509910103000,新镇,New Town,township,township,{QIJIANG}",  # line 2: fine
            "509910103201,新村,,village,village,509910103000",  # line 3: fine
            "509910103202,,,village,village,509910103000",  # line 4: no name
            "509910103203,村,,villige,village,509910103000",  # line 5: unknown kind
            "509910103204,村,,village,village,509910199999",  # line 6: unknown parent
            "509910103201,重复,,village,village,509910103000",  # line 7: duplicate
            "509910103205,子,,village,village,509910103204",  # line 8: parent row is bad
            "5099_10%,村,,village,village,509910103000",  # line 9: wildcard in code
        ]
    )
    report = await import_units(text)
    assert not report.ok
    by_line = {}
    for e in report.errors:
        by_line.setdefault(e.line, []).append(e.text())
    assert sorted(by_line) == [4, 5, 6, 7, 8, 9]
    assert by_line[4] == ["name: required, at most 128 characters"]
    assert by_line[5] == ["kind: unknown unit kind “villige”"]
    assert "unknown parent 509910199999" in by_line[6][0]
    assert "first on line 3" in by_line[7][0]
    assert "the parent row 509910103204 has errors" in by_line[8][0]
    assert await count() == before


async def test_missing_columns_are_named():
    report = await import_units("code,name\n1,x\n")
    assert [e.text() for e in report.errors] == [
        "missing columns: name_en, kind, level, parent_code"
    ]


async def test_an_admin_imports_only_into_their_own_subtree(catalogue):
    district = await principal("district")
    # A code no other test creates (the isolation matrix adds Nanchuan township 509920109000).
    text = HEADER + "509920198000,越界镇,,township,township,509920000000\n"  # Nanchuan's
    report = await import_units(text, actor=district, within=["/509900000000/509910000000/"])
    # Reported exactly like a parent that does not exist.
    assert [e.text() for e in report.errors] == [
        "parent_code: unknown parent 509920000000 (parents must come first)"
    ]


def test_excel_csv_in_gb18030_is_read():
    assert decode_upload("代码".encode("gb18030")) == "代码"
    assert decode_upload("\ufeff代码".encode()) == "代码"
    assert decode_upload(b"\x89PNG\r\n\x1a\n\x00\xff\xfe\x81") is None  # not text at all


async def test_a_real_county_imports_and_a_second_import_changes_nothing(catalogue):
    rows = treegen.county_rows("509930000000", "509900000000")
    assert sum(r["kind"] == "township" for r in rows) == 18
    assert sum(r["kind"] == "village" for r in rows) == 278
    text = treegen.to_csv(rows)
    first = await import_units(text, source="county.csv")
    assert first.ok and first.created == len(rows)
    again = await import_units(text)
    assert again.ok and again.created == 0 and again.unchanged == len(rows)
    county = await Unit.select(Unit.path).where(Unit.code == "509930000000").first()
    assert await Unit.count().where(under(Unit.path, county["path"])) == len(rows)
    log = (
        await AdminEvent.select()
        .where(AdminEvent.action == "units.import")
        .order_by(AdminEvent.id, ascending=False)
        .first()
        .output(load_json=True)
    )
    assert log["target"] == "county.csv" and log["details"]["created"] == len(rows)


async def test_a_city_of_five_thousand_units_imports_and_a_district_is_one_query(catalogue):
    rows = treegen.city_rows("509700000000", parent_code="509900000000")
    assert 5000 <= len(rows) <= 5200
    started = time.perf_counter()
    seen: list[tuple[int, int]] = []
    report = await import_units(treegen.to_csv(rows), progress=lambda d, t: seen.append((d, t)))
    took = time.perf_counter() - started
    try:
        assert report.ok and report.created == len(rows)
        assert seen[-1] == (len(rows), len(rows)) and len(seen) >= 10  # a progress bar has steps
        district = await Unit.select(Unit.path).where(Unit.code == "509703000000").first()
        subtree = await Unit.select(Unit.code).where(under(Unit.path, district["path"]))
        assert len(subtree) == len(treegen.county_rows("509703000000", "x"))
        assert all(r["code"].startswith("509703") for r in subtree)
        print(f"imported {len(rows)} units in {took:.2f} s")  # the figure lives in bench/
    finally:
        await Unit.delete().where(Unit.code.like("5097%"))
