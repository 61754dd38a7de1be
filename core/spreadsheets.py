"""Cells of the CSV and XLSX files users download, safe to open in Excel or WPS.

A unit's name, a resident's text or a review's comment that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return would be taken for a formula by a spreadsheet
(``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``) and run on the desktop of whoever opens the
export. Every export writes its rows through this module, so no export can forget it.

- CSV (OWASP's advice): such a text cell gets a leading ``'``, which the spreadsheet
  shows as text. Numbers are written as numbers, a negative one included. A text that
  already starts with quotes before such a character gets one more, so that
  :func:`csv_value` gives back exactly the text that was exported: an export that is
  meant to be imported again (``tongban units export`` → ``import``) reads the same.
- XLSX (openpyxl): openpyxl stores a text starting with ``=`` as a formula, and
  ``#N/A`` and the like as error values; here every text is stored as a text cell,
  whatever it starts with, and shown exactly as it is. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# CRLF, as RFC 4180 and Excel write CSV. Python's csv quotes a cell only for the line
# end's own characters: with "\n" alone, a name holding a CR was written bare and the
# file could no longer be read back.
LINE_END = "\r\n"


def _needs_quote(text: str) -> bool:
    return text.lstrip("'").startswith(FORMULA_STARTS)


def csv_cell(value):
    """The value as a CSV cell: a text a spreadsheet would run gets a leading ``'``."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def csv_value(cell: str) -> str:
    """What :func:`csv_cell` was given, read back from a CSV cell (for importers)."""
    if cell.startswith("'") and _needs_quote(cell):
        return cell[1:]
    return cell


def csv_text(rows: Iterable[Sequence]) -> str:
    """Rows as CSV text, every cell through :func:`csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=LINE_END)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return buffer.getvalue()


def xlsx_append(sheet: Worksheet, row: Sequence) -> None:
    """Append a row to an openpyxl sheet, every text as a text cell (never a formula)."""
    cells = []
    for value in row:
        if isinstance(value, str):
            # Control characters other than tab and newlines cannot be stored in XLSX:
            # openpyxl would refuse the whole file. They carry nothing a reader needs.
            cell = Cell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"  # openpyxl would make "=…" a formula, "#N/A" an error
        else:
            cell = Cell(sheet, value=value)
        cells.append(cell)
    sheet.append(cells)
