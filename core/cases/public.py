"""Public pages: anyone can look up a case by tracking code, without logging in."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromQuery
from litestar.response import Template

from core.cases.status import public_status
from core.errors import TongbanError
from core.i18n import gettext
from core.web.locale import current_locale


class PublicStatusController(Controller):
    path = "/status"

    @get("/", name="status")
    async def status(self, code: FromQuery[str] = "", last4: FromQuery[str] = "") -> Template:
        context: dict = {"code": code[:40], "last4": last4[:4], "status": None, "error": None}
        if code or last4:
            try:
                context["status"] = await public_status(code[:40], last4[:8])
            except TongbanError as exc:
                context["error"] = gettext(current_locale.get(), exc.message, **exc.params)
        return Template("cases/status.html", context=context, status_code=200)
