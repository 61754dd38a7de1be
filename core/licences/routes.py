"""The case page's e-licence panel: attach one of the applicant's e-licences in place of a
material the item lets a licence replace (the same checks as the JSON API)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from core.cases.services import visible_case
from core.cases.states import OPEN_STATES
from core.errors import TongbanError
from core.i18n import gettext
from core.licences import library
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal
from core.web.locale import current_locale


async def _page(
    principal: Principal,
    case_id: int,
    *,
    attached: str = "",
    error: str = "",
    status_code: int = 200,
) -> Template:
    case = await visible_case(principal, case_id)
    options = await library.material_options(principal, case_id)
    return Template(
        "licences/case_licences.html",
        context={
            "case": case,
            "options": options,
            "attached": attached,
            "error": error,
            "may_attach": principal.has_role(*library.ATTACH_ROLES)
            and case["state"] in OPEN_STATES,
        },
        status_code=status_code,
    )


class CaseLicencesController(Controller):
    """``/licences/case/<id>``: the materials an e-licence may replace, and the buttons."""

    path = "/licences/case"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{case_id:int}", name="licences.of_case")
    async def show(self, principal: NamedDependency[Principal], case_id: FromPath[int]) -> Template:
        return await _page(principal, case_id)

    @post("/{case_id:int}/{material_code:str}", name="licences.attach")
    async def attach(
        self,
        request: Request,
        principal: NamedDependency[Principal],
        case_id: FromPath[int],
        material_code: FromPath[str],
    ) -> Template:
        form = await request.form()
        try:
            licence_id = int(str(form.get("licence_id") or "")[:12])
        except ValueError:
            licence_id = 0
        try:
            done = await library.attach(principal, case_id, material_code[:64], licence_id)
        except TongbanError as exc:
            message = gettext(current_locale.get(), exc.message, **exc.params)
            return await _page(principal, case_id, error=message, status_code=exc.status_code)
        return await _page(principal, case_id, attached=done["licence_number"])
