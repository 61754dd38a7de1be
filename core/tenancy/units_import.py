"""Import the unit tree from CSV: validate every row first, then all or nothing.

Columns: ``code,name,name_en,kind,level,parent_code`` (extra columns, such as
the ``active`` column of an export, are ignored). A parent may be an existing
unit or a row earlier in the file. Rows whose code already exists are left as
they are, so importing the same file twice changes nothing.

An admin's import is limited to their subtree (``within``): every parent must
lie inside it. The command line and the site loader import without limit.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from core.db import transaction
from core.i18n import N_, gettext
from core.spreadsheets import csv_value
from core.tenancy import audit, rules
from core.tenancy.scope import Principal
from core.tenancy.tables import Unit

COLUMNS = ("code", "name", "name_en", "kind", "level", "parent_code")
BATCH = 500


@dataclass(frozen=True)
class ImportProblem:
    line: int
    message: str  # English msgid with %(name)s params
    params: dict = field(default_factory=dict)

    def text(self, locale: str = "en") -> str:
        return gettext(locale, self.message, **self.params)


@dataclass
class ImportReport:
    created: int = 0
    unchanged: int = 0
    rows: int = 0
    planned: int = 0  # rows that pass and would be created
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def add(self, line: int, problems: list[rules.Problem]) -> None:
        self.errors.extend(ImportProblem(line, msg, params) for msg, params in problems)


@dataclass(frozen=True)
class _Row:
    line: int
    code: str
    name: str
    name_en: str
    kind: str
    level: str
    parent_code: str


def decode_upload(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GB 18030 — what Excel saves CSV as on a Chinese
    desktop. ``None`` when the bytes are neither (not a text file at all)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _parse(text: str, report: ImportReport) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    fieldnames = [(name or "").strip() for name in reader.fieldnames or []]
    reader.fieldnames = fieldnames
    missing = [c for c in COLUMNS if c not in fieldnames]
    if missing:
        report.errors.append(
            ImportProblem(1, N_("missing columns: %(columns)s"), {"columns": ", ".join(missing)})
        )
        return []
    rows = []
    try:
        for record in reader:
            if record.get(None):  # DictReader's bin for values beyond the header's columns
                report.errors.append(
                    ImportProblem(
                        reader.line_num,
                        N_("this line has %(count)s values, the header names %(columns)s"),
                        {"count": len(fieldnames) + len(record[None]), "columns": len(fieldnames)},
                    )
                )
                continue
            # An export's "'=…" cell (core.spreadsheets) reads back as the name it was.
            values = {c: csv_value((record.get(c) or "").strip()) for c in COLUMNS}
            if not any(values.values()):
                continue  # a blank line
            rows.append(_Row(line=reader.line_num, **values))
    except csv.Error as exc:  # a value longer than any cell, a stray NUL …
        report.errors.append(
            ImportProblem(
                reader.line_num + 1,
                N_("this line cannot be read as CSV (%(reason)s); nothing after it was checked"),
                {"reason": str(exc)},
            )
        )
    report.rows = len(rows)
    return rows


async def import_units(
    text: str,
    *,
    progress: Callable[[int, int], None] | None = None,
    actor: Principal | None = None,
    within: list[str] | None = None,
    source: str = "",
    dry_run: bool = False,
) -> ImportReport:
    """Validate all rows; if any is bad, report every error and import nothing.

    ``progress(done, total)`` is called after each batch of inserted rows.
    """
    report = ImportReport()
    rows = _parse(text, report)
    if report.errors:
        return report
    levels = await rules.load_levels()
    existing = {r["code"]: r for r in await Unit.select(Unit.id, Unit.code, Unit.path, Unit.level)}
    folded = {code.lower(): code for code in existing}
    paths: dict[str, str] = {code: r["path"] for code, r in existing.items()}
    level_of: dict[str, str] = {code: r["level"] for code, r in existing.items()}
    seen: dict[str, int] = {}
    bad: set[str] = set()
    new_rows: list[_Row] = []
    for row in rows:
        problems = rules.code_problems(row.code) + rules.name_problems(row.name, row.name_en)
        known = folded.get(row.code.lower())
        if row.code.lower() in seen:
            problems.append(
                (
                    N_("code: %(code)s appears twice in the file (first on line %(first)s)"),
                    {"code": row.code, "first": seen[row.code.lower()]},
                )
            )
        elif known is not None and known != row.code:
            problems.append(
                (
                    N_("code: %(code)s differs only in upper/lower case from the unit %(other)s"),
                    {"code": row.code, "other": known},
                )
            )
        elif known is not None and within is not None and not _inside(paths[known], within):
            problems.append(
                (N_("code: %(code)s is already used by another unit"), {"code": row.code})
            )
        elif known is not None and not problems:
            # An existing unit is left as it is: its row needs no parent or placement
            # check (an export's top row names a parent outside the exporter's subtree).
            seen.setdefault(row.code.lower(), row.line)
            report.unchanged += 1
            continue
        problems += rules.placement_problems(
            row.kind, row.level, levels, parent_level=level_of.get(row.parent_code)
        )
        if row.parent_code in bad:
            problems.append(
                (
                    N_("parent_code: the parent row %(parent)s has errors"),
                    {"parent": row.parent_code},
                )
            )
        elif row.parent_code and (
            row.parent_code not in paths
            # A parent outside the importer's subtree is reported as unknown, not as foreign.
            or (within is not None and not _inside(paths[row.parent_code], within))
        ):
            problems.append(
                (
                    N_("parent_code: unknown parent %(parent)s (parents must come first)"),
                    {"parent": row.parent_code},
                )
            )
        if not row.parent_code and known is None and (existing or within is not None):
            problems.append((N_("parent_code: only the first import may create a root unit"), {}))
        seen.setdefault(row.code.lower(), row.line)
        if problems:
            bad.add(row.code)
            report.add(row.line, problems)
            continue
        parent_path = paths[row.parent_code] if row.parent_code else "/"
        path = f"{parent_path}{row.code}/"
        if len(path) > rules.MAX_PATH:
            bad.add(row.code)
            report.add(row.line, [(N_("code: the tree is too deep here"), {})])
            continue
        paths[row.code] = path
        level_of[row.code] = row.level
        new_rows.append(row)
    report.planned = len(new_rows)
    if report.errors or dry_run:
        return report
    if new_rows:
        await _insert(new_rows, paths, existing, report, progress, actor, source)
    elif progress:
        progress(0, 0)
    return report


def _inside(path: str, within: list[str]) -> bool:
    return any(path.startswith(p) for p in within)


async def _insert(new_rows, paths, existing, report, progress, actor, source) -> None:
    ids: dict[str, int] = {code: r["id"] for code, r in existing.items()}
    async with transaction():
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
        # The log entry hangs on the deepest unit holding every new row.
        common = _common_ancestor([paths[r.code] for r in new_rows])
        await audit.record(
            actor,
            "units.import",
            unit_id=ids.get(common) if common else None,
            target=source or "CSV",
            details={"created": report.created, "unchanged": report.unchanged},
        )


def _common_ancestor(paths: list[str]) -> str | None:
    """Code of the deepest unit whose subtree holds all ``paths`` (their parents' common prefix)."""
    split = [p.strip("/").split("/")[:-1] or p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return common[-1] if common else None
