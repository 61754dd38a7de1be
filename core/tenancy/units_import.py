"""Import the unit tree from CSV: validate every row first, then all or nothing.

Columns: ``code,name,name_en,kind,level,parent_code``. A parent may be an
existing unit or a row earlier in the file. Rows whose code already exists
are left as they are, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from core.catalog.registry import get_catalog
from core.db import get_engine
from core.tenancy.tables import LevelRow, Unit

COLUMNS = ("code", "name", "name_en", "kind", "level", "parent_code")
BATCH = 500


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, English msg)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    name_en: str
    kind: str
    level: str
    parent_code: str


def _parse(text: str, report: ImportReport) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        report.errors.append((1, f"missing columns: {', '.join(missing)}"))
        return []
    rows = []
    for record in reader:
        values = {c: (record.get(c) or "").strip() for c in COLUMNS}
        rows.append(_Row(line=reader.line_num, **values))
    return rows


async def import_units(
    text: str, *, progress: Callable[[int, int], None] | None = None
) -> ImportReport:
    """Validate all rows; if any is bad, report every error and import nothing."""
    report = ImportReport()
    rows = _parse(text, report)
    if report.errors:
        return report
    kinds = get_catalog().unit_kinds
    level_rows = await LevelRow.select(LevelRow.key, LevelRow.depth, LevelRow.unit_kinds).output(
        load_json=True
    )
    levels = {r["key"]: r for r in level_rows}
    existing = {
        r["code"]: r
        for r in await Unit.select(Unit.id, Unit.code, Unit.path, Unit.depth, Unit.level)
    }
    paths: dict[str, str] = {code: r["path"] for code, r in existing.items()}
    seen: set[str] = set()
    bad: set[str] = set()
    new_rows: list[_Row] = []
    for row in rows:
        problems = []
        if not row.code or len(row.code) > 32:
            problems.append("code: required, at most 32 characters")
        elif row.code in seen:
            problems.append(f"code: {row.code} appears twice in the file")
        if not row.name or len(row.name) > 128:
            problems.append("name: required, at most 128 characters")
        if row.kind not in kinds:
            problems.append(f"kind: unknown unit kind {row.kind!r}")
        if row.level not in levels:
            problems.append(f"level: unknown level {row.level!r}")
        else:
            allowed = levels[row.level]["unit_kinds"] or []
            kind_levels = kinds[row.kind].levels if row.kind in kinds else ()
            if kind_levels and row.level not in kind_levels:
                problems.append(f"kind: a {row.kind} cannot exist at level {row.level}")
            if allowed and row.kind not in allowed:
                problems.append(f"kind: level {row.level} does not allow {row.kind}")
        if row.parent_code in bad:
            problems.append(f"parent_code: the parent row {row.parent_code!r} has errors")
        elif row.parent_code and row.parent_code not in paths:
            problems.append(
                f"parent_code: unknown parent {row.parent_code!r} (parents must come first)"
            )
        if not row.parent_code and row.code not in existing and existing:
            problems.append("parent_code: only the first import may create a root unit")
        seen.add(row.code)
        if problems:
            bad.add(row.code)
            report.errors.extend((row.line, p) for p in problems)
            continue
        if row.code in existing:
            report.unchanged += 1
            continue
        parent_path = paths[row.parent_code] if row.parent_code else "/"
        paths[row.code] = f"{parent_path}{row.code}/"
        new_rows.append(row)
    if report.errors:
        return report

    ids: dict[str, int] = {code: r["id"] for code, r in existing.items()}
    async with get_engine().transaction():
        for start in range(0, len(new_rows), BATCH):
            batch = new_rows[start : start + BATCH]
            # Parents inside the same batch need their ids first: insert level by level.
            for depth in sorted({paths[r.code].count("/") - 1 for r in batch}):
                layer = [r for r in batch if paths[r.code].count("/") - 1 == depth]
                inserted = await Unit.insert(
                    *[
                        Unit(
                            code=r.code,
                            name=r.name,
                            name_en=r.name_en,
                            kind=r.kind,
                            level=r.level,
                            parent=ids.get(r.parent_code),
                            path=paths[r.code],
                            depth=depth,
                        )
                        for r in layer
                    ]
                ).returning(Unit.id, Unit.code)
                ids.update({r["code"]: r["id"] for r in inserted})
            report.created += len(batch)
            if progress:
                progress(min(start + BATCH, len(new_rows)), len(new_rows))
    return report
