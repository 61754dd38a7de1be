"""Monthly reports as CSV and XLSX files, with headers in the reader's language.

CSV is written with a byte-order mark so that Excel opens Chinese text
correctly; XLSX (openpyxl) keeps numbers as numbers and shares as
percentages, so the district can sum and sort without retyping.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from core.i18n import N_, gettext
from core.reports.contribution import aware
from core.reports.figures import Figures
from core.reports.monthly import TownshipStatus
from core.settings import get_settings
from core.spreadsheets import csv_text, xlsx_append

STATE_LABELS = {
    "": N_("Not compiled"),
    "compiled": N_("Awaiting confirmation"),
    "confirmed": N_("Confirmed"),
}

Getter = Callable[[Figures], float | int | None]

# (header msgid, getter, is a share)
FIGURE_COLUMNS: tuple[tuple[str, Getter, bool], ...] = (
    (N_("Cases filed"), lambda f: f.filed, False),
    (N_("Cases accepted"), lambda f: f.accepted, False),
    (N_("Cases finished"), lambda f: f.finished, False),
    (N_("Finished on time"), lambda f: f.on_time, False),
    (N_("On-time rate"), lambda f: f.on_time_share, True),
    (N_("Overdue at compilation"), lambda f: f.red_now, False),
    (N_("Average handling (working days)"), lambda f: f.avg_handling, False),
    (N_("90th percentile handling (working days)"), lambda f: f.p90_handling, False),
    (N_("At most one trip"), lambda f: f.le1_share, True),
    (N_("No trip"), lambda f: f.zero_share, True),
    (N_("Filed by village agents"), lambda f: f.proxy_share, True),
    (N_("Reviews"), lambda f: f.reviews, False),
    (N_("Satisfaction"), lambda f: f.satisfaction, True),
    (N_("Average rating (1-5)"), lambda f: f.avg_score, False),
)


def _name(unit: dict, locale: str) -> str:
    return (unit.get("name_en") or unit["name"]) if locale == "en" else unit["name"]


def table(statuses: list[TownshipStatus], period: date, locale: str) -> list[list]:
    """The export as rows: a header, one row per township, and a total row."""

    def t(message: str) -> str:
        return gettext(locale, message)

    header = [t(N_("Month")), t(N_("Unit code")), t(N_("Township")), t(N_("Report state"))]
    header += [t(N_("Confirmed at")), *(t(label) for label, _, _ in FIGURE_COLUMNS)]
    rows: list[list] = [header]
    total = Figures()
    for entry in statuses:
        state = entry.report["state"] if entry.report else ""
        confirmed_at = entry.report["confirmed_at"] if entry.report else None
        row = [
            f"{period:%Y-%m}",
            entry.unit["code"],
            _name(entry.unit, locale),
            t(STATE_LABELS.get(state, state)),
            _local(confirmed_at),
        ]
        if entry.figures is None:
            # Not compiled: no figures yet (as on the page), not a month of zeros.
            row += ["" for _ in FIGURE_COLUMNS]
        else:
            total.merge(entry.figures)
            row += [_value(getter(entry.figures)) for _, getter, _ in FIGURE_COLUMNS]
        rows.append(row)
    if len(statuses) > 1:
        rows.append(
            [f"{period:%Y-%m}", "", t(N_("Total")), "", ""]
            + [_value(getter(total)) for _, getter, _ in FIGURE_COLUMNS]
        )
    return rows


def _local(moment) -> str:
    """A moment as the pages show it: in the site's time zone, not the database's UTC."""
    if moment is None:
        return ""
    local = aware(moment).astimezone(ZoneInfo(get_settings().timezone))
    return local.strftime("%Y-%m-%d %H:%M")


def _value(value):
    if isinstance(value, float):
        return round(value, 4)
    return "" if value is None else value


def to_csv(rows: list[list]) -> bytes:
    # Unit names are typed by admins: no cell may run as a formula (core.spreadsheets).
    return ("\ufeff" + csv_text(rows)).encode("utf-8")


def to_xlsx(rows: list[list], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for row in rows:
        xlsx_append(sheet, row)  # texts as texts, never formulas (core.spreadsheets)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    first_figure = 6  # columns A-E are month, code, name, state, confirmed at
    for offset, (_, _, share) in enumerate(FIGURE_COLUMNS):
        if not share:
            continue
        column = sheet.cell(row=1, column=first_figure + offset).column_letter
        for cell in sheet[column][1:]:
            cell.number_format = "0.0%"
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(10, width + 2), 40)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
