"""Public pages: anyone can look up a case (or a bundle) by tracking code, without logging in."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.params import FromQuery
from litestar.response import Template

from core.cases.errors import error_text
from core.cases.lookups import guarded
from core.cases.status import BundleStatus, public_status
from core.errors import TongbanError
from core.web.locale import current_locale


class PublicStatusController(Controller):
    path = "/status"

    @get("/", name="status")
    async def status(
        self, request: Request, code: FromQuery[str] = "", last4: FromQuery[str] = ""
    ) -> Template:
        context: dict = {
            "code": code[:40],
            "last4": last4[:4],
            "status": None,
            "bundle": None,
            "error": None,
        }
        if code or last4:
            try:
                found = await guarded(request, code[:40], lambda c: public_status(c, last4[:8]))
            except TongbanError as exc:
                context["error"] = error_text(exc, current_locale.get())
            else:
                context["bundle" if isinstance(found, BundleStatus) else "status"] = found
        return Template("cases/status.html", context=context, status_code=200)
