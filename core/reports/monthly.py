"""Monthly reports: each township's figures for the previous month, submitted upward.

On the first working day of each month the worker compiles, for every
township, its figures for the month before (from the aggregates, after the
night's reconciliation) and freezes them in a :class:`MonthlyReport`. The
township's supervisor checks and confirms it — that is its submission to
the district. The district sees which of its townships have not confirmed
by the deadline (the 5th working day of the month unless
``[reports] confirm_by_working_day`` says otherwise) and exports the lot as CSV or XLSX.

A township deactivated during a month it had cases in still gets that month's
report, but nobody is left there to confirm it. It is never counted late (the
deadline binds the township, which no longer exists); it is shown as a closed
unit's report, and a supervisor of the district (or above) confirms it on its
behalf — the district is where its figures are submitted anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.db import transaction
from core.deadlines.site_calendar import site_calendar
from core.errors import NotFound, PermissionDenied, TongbanError
from core.i18n import N_
from core.reports import access, figures
from core.reports.figures import Figures
from core.reports.periods import month_end
from core.reports.tables import MonthlyReport
from core.settings import get_settings
from core.tenancy.scope import Principal
from core.tenancy.tables import Unit


class ReportNotFound(NotFound):
    message = N_("No such monthly report.")


class AlreadyConfirmed(TongbanError):
    status_code = 409
    message = N_("This monthly report has already been confirmed.")


async def confirm_by(period: date) -> date:
    """The day by which a township confirms its report for the month ``period``: the
    5th working day of the following month (``[reports] confirm_by_working_day``).

    Working days, not calendar days: after the National Day holidays the
    report is compiled on 8 October, and "by the 5th" would have passed.
    """
    n = int(get_settings().site.get("reports", {}).get("confirm_by_working_day", 5))
    following = date.fromordinal(month_end(period).toordinal() + 1)
    calendar = await site_calendar()
    return calendar.add_working_days(following - timedelta(days=1), max(n, 1))


def key_of(unit_id: int, period: date) -> str:
    return f"{unit_id}:{period:%Y-%m}"


async def had_the_month(township: dict, period: date) -> bool:
    """Whether a township has a report to give for the month ``period``.

    An active one always does. A deactivated one does when it still had cases
    that month — closed mid-month, its cases filed, handled or reviewed before
    (or left open) are its month's figures, and nobody else reports them — and
    not otherwise: a township closed before the month has nothing to report and
    is never late with it.
    """
    if township["active"]:
        return True
    numbers = await figures.totals(township["path"], period, month_end(period))
    return any(numbers.counts.values()) or bool(numbers.open_now or numbers.red_now)


async def compile_month(period: date, *, now: datetime | None = None) -> int:
    """Compile the month's report of every township that had the month and has none yet;
    returns how many."""
    townships = await (
        Unit.select(Unit.id, Unit.path, Unit.active)
        .where(Unit.kind == "township")
        .order_by(Unit.id)
    )
    done = {
        row["unit"]
        for row in await MonthlyReport.select(MonthlyReport.unit).where(
            MonthlyReport.period == period
        )
    }
    created = 0
    for township in townships:
        if township["id"] in done or not await had_the_month(township, period):
            continue
        numbers = await figures.totals(township["path"], period, month_end(period))
        values = {
            "key": key_of(township["id"], period),
            "unit": township["id"],
            "period": period,
            "figures": numbers.as_dict(),
        }
        if now is not None:
            values["compiled_at"] = now
        async with transaction():
            rows = (
                await MonthlyReport.insert(MonthlyReport(**values))
                .on_conflict(target=MonthlyReport.key, action="DO NOTHING")
                .returning(MonthlyReport.id)
            )
        created += len(rows)
    return created


@dataclass
class TownshipStatus:
    unit: dict
    report: dict | None
    figures: Figures | None
    late: bool

    @property
    def confirmed(self) -> bool:
        return bool(self.report and self.report["state"] == "confirmed")

    @property
    def closed(self) -> bool:
        """The township was deactivated: the units above it confirm its report for it."""
        return not self.unit["active"]

    @property
    def awaiting_district(self) -> bool:
        """A closed township's compiled report that the district has yet to confirm."""
        return self.closed and self.report is not None and not self.confirmed


async def status(unit: dict, period: date, today: date) -> list[TownshipStatus]:
    """Every township in ``unit``'s subtree that had the month (see :func:`had_the_month`),
    with its report for ``period`` (if compiled)."""
    townships = [unit] if unit["kind"] == "township" else await access.townships_under(unit["path"])
    ids = [t["id"] for t in townships]
    reports = {}
    if ids:
        for row in (
            await MonthlyReport.select()
            .where(MonthlyReport.unit.is_in(ids) & (MonthlyReport.period == period))
            .output(load_json=True)
        ):
            reports[row["unit"]] = row
    deadline = await confirm_by(period)
    result = []
    for township in townships:
        report = reports.get(township["id"])
        if report is None and not await had_the_month(township, period):
            continue
        confirmed = bool(report and report["state"] == "confirmed")
        result.append(
            TownshipStatus(
                unit=township,
                report=report,
                figures=Figures.from_dict(report["figures"]) if report else None,
                # Late is the township's failing; a closed one cannot fail, nobody is left
                # there to confirm. Its report waits for the district instead (awaiting_district).
                late=not confirmed and today > deadline and township["active"],
            )
        )
    return result


async def report_for(principal: Principal, report_id: int) -> tuple[dict, dict]:
    """A report the person may see, with its township; ReportNotFound otherwise."""
    row = (
        await MonthlyReport.select()
        .where(MonthlyReport.id == report_id)
        .output(load_json=True)
        .first()
    )
    if row is None:
        raise ReportNotFound()
    unit = await Unit.select(*access.UNIT_COLUMNS).where(Unit.id == row["unit"]).first()
    if unit is None or not access.covers(principal, unit["path"]):
        raise ReportNotFound()
    return row, unit


async def confirm(principal: Principal, report_id: int, note: str, now: datetime) -> None:
    """The township confirms its report (submits it upward). Only once."""
    report, unit = await report_for(principal, report_id)
    if not access.may_confirm(principal, unit):
        raise PermissionDenied()
    async with transaction():
        changed = (
            await MonthlyReport.update(
                {
                    MonthlyReport.state: "confirmed",
                    MonthlyReport.confirmed_by: principal.staff_id,
                    MonthlyReport.confirmed_by_name: principal.display_name[:64],
                    MonthlyReport.confirmed_at: now,
                    MonthlyReport.note: (note or "").strip()[:2000],
                }
            )
            .where((MonthlyReport.id == report_id) & (MonthlyReport.state == "compiled"))
            .returning(MonthlyReport.id)
        )
    if not changed:
        raise AlreadyConfirmed()
