"""Pages: the fee box on the filing form, the fee notice of a case, the teller's desk."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from core.cases.forms_io import split_submission
from core.cases.services import FILING_ROLES
from core.catalog.fees import FeeComputationFailed
from core.errors import TongbanError, ValidationFailed
from core.i18n import gettext
from core.payments import services
from core.payments.channels import channels_for
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal, require_roles
from core.web.locale import current_locale


def _message(exc: TongbanError) -> str:
    return gettext(current_locale.get(), exc.message, **exc.params)


class FeeQuoteController(Controller):
    """The live fee box of the filing form: recomputed as the agent fills the form in."""

    path = "/fees"
    guards = [require_roles(*FILING_ROLES)]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/{item_code:str}", name="fees.quote")
    async def quote(
        self, request: Request, principal: NamedDependency[Principal], item_code: FromPath[str]
    ) -> Template:
        _, data = split_submission((await request.form()).multi_items())
        context: dict = {
            "item_code": item_code[:32],
            "quote": None,
            "incomplete": False,
            "error": None,
        }
        try:
            context["quote"] = services.quote(principal, item_code[:32], data)
        except ValidationFailed:
            context["incomplete"] = True
        except FeeComputationFailed as exc:
            context["error"] = _message(exc)
        return Template("payments/partials/fee_quote.html", context=context)


class PaymentsController(Controller):
    path = "/payments"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/case/{case_id:int}", name="payments.case")
    async def case_notice(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template:
        """The fee notice (缴款通知书) of a case: lines, total and the payment code."""
        fees = await services.case_fees(principal, case_id)
        return Template("payments/notice.html", context={"fees": fees})

    @get("/case/{case_id:int}/panel", name="payments.case.panel")
    async def case_panel(
        self, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template:
        """The fee card of a case page (loaded by htmx; empty when nothing is due)."""
        fees = await services.case_fees(principal, case_id)
        return Template("payments/partials/case_fees.html", context={"fees": fees})

    @get("/", name="payments.desk")
    async def desk(
        self, principal: NamedDependency[Principal], code: FromQuery[str] = ""
    ) -> Template:
        """The payment channel's desk: look a payment code up, take the money."""
        context: dict = {
            "code": code[:40],
            "due": None,
            "error": None,
            "channels": channels_for(principal),
            "receipt": None,
        }
        if code:
            try:
                context["due"] = await services.lookup(principal, code[:40])
            except TongbanError as exc:
                context["error"] = _message(exc)
        return Template("payments/desk.html", context=context)

    @post("/{code:str}", name="payments.pay")
    async def pay(
        self, request: Request, principal: NamedDependency[Principal], code: FromPath[str]
    ) -> Template:
        form = await request.form()
        context: dict = {"code": code[:40], "error": None, "channels": channels_for(principal)}
        try:
            context["receipt"] = await services.record_payment(
                principal,
                code[:40],
                channel_key=(form.get("channel") or "")[:32],
                reference=(form.get("reference") or "")[:64],
                amount=(form.get("amount") or "")[:32],
            )
        except TongbanError as exc:
            context["error"] = _message(exc)
            context["receipt"] = None
        try:
            context["due"] = await services.lookup(principal, code[:40])
        except TongbanError:
            context["due"] = None
        return Template(
            "payments/desk.html", context=context, status_code=200 if not context["error"] else 422
        )
