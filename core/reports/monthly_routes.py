"""Monthly reports: the district's overview, a township's report, confirming, exports."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from core.cases import timing
from core.reports import access, exports, monthly, view
from core.reports.periods import local_today, month_period, previous_month
from core.reports.routes import _supervisor
from core.tenancy.scope import Principal
from core.web.guards import login_required
from core.web.locale import current_locale

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class MonthlyController(Controller):
    path = "/reports/monthly"
    guards = [login_required]
    dependencies = {"principal": Provide(_supervisor)}

    @get("/", name="reports.monthly")
    async def overview(
        self,
        principal: NamedDependency[Principal],
        unit: FromQuery[str] = "",
        month: FromQuery[str] = "",
    ) -> Template:
        row = await access.unit_by_code(principal, unit)
        today = local_today()
        period = month_period(month[:7]) if month else previous_month(today)
        statuses = await monthly.status(row, period, today)
        return Template(
            "reports/monthly.html",
            context={
                "unit": row,
                "period": period,
                "statuses": statuses,
                "deadline": await monthly.confirm_by(period),
                "late": [s for s in statuses if s.late],
                "may_confirm": {
                    s.unit["id"]: access.may_confirm(principal, s.unit) for s in statuses
                },
                **view.helpers(),
            },
        )

    @get("/export/{kind:str}", name="reports.monthly.export")
    async def export(
        self,
        principal: NamedDependency[Principal],
        kind: FromPath[str],
        unit: FromQuery[str] = "",
        month: FromQuery[str] = "",
    ) -> Response:
        if kind not in EXPORT_TYPES:
            raise access.UnitNotFound()
        row = await access.unit_by_code(principal, unit)
        today = local_today()
        period = month_period(month[:7]) if month else previous_month(today)
        statuses = await monthly.status(row, period, today)
        rows = exports.table(statuses, period, current_locale.get())
        body = exports.to_csv(rows) if kind == "csv" else exports.to_xlsx(rows, f"{period:%Y-%m}")
        filename = f"monthly-{row['code']}-{period:%Y-%m}.{kind}"
        return Response(
            body,
            media_type=EXPORT_TYPES[kind],
            headers={
                "content-disposition": f'attachment; filename="{filename}"; '
                f"filename*=UTF-8''{quote(filename)}",
                "cache-control": "no-store",
            },
        )

    @get("/{report_id:int}", name="reports.monthly.report")
    async def report(
        self, principal: NamedDependency[Principal], report_id: FromPath[int]
    ) -> Template:
        report, unit = await monthly.report_for(principal, report_id)
        statuses = await monthly.status(unit, report["period"], local_today())
        return Template(
            "reports/monthly_report.html",
            context={
                "report": report,
                "unit": unit,
                "status": statuses[0],
                "deadline": await monthly.confirm_by(report["period"]),
                "may_confirm": access.may_confirm(principal, unit),
                **view.helpers(),
            },
        )

    @post("/{report_id:int}/confirm", name="reports.monthly.confirm")
    async def confirm(
        self, request: Request, principal: NamedDependency[Principal], report_id: FromPath[int]
    ) -> Redirect:
        form = await request.form()
        now: datetime = timing.utcnow()
        await monthly.confirm(principal, report_id, (form.get("note") or "")[:2000], now)
        return Redirect(f"/reports/monthly/{report_id}?confirmed=1")
