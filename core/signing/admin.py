"""The city admin's page for the site CA: seals, revocation, the CRL and the audit checkpoints.

Only what needs no root key is offered here (the root passphrase never
travels through a web form): issuing and rotating seals, revoking a
certificate, re-publishing the CRL, making an audit checkpoint.  Rotating
the issuing CA is ``tongban ca rotate-issuing`` on the server.
"""

from __future__ import annotations

import unicodedata

from litestar import Controller, Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from core.errors import NotFound, TongbanError
from core.i18n import N_, gettext
from core.signing import audit, authority
from core.tenancy.tables import Unit
from core.web.guards import require_roles
from core.web.locale import current_locale

ADMIN_ROLES = ("city_admin",)

FLASH = {
    "issued": N_("A new seal was issued."),
    "revoked": N_("The certificate was revoked and the CRL republished."),
    "crl": N_("The CRL was republished."),
    "checkpoint": N_("An audit checkpoint was signed."),
}

KIND_LABELS = {
    "root": N_("Root CA"),
    "issuing": N_("Issuing CA"),
    "unit": N_("Unit seal"),
    "person": N_("Personal signature"),
    "system": N_("Audit checkpoints"),
}

# The seal form's unit input is named like an address field's (``….unit``) so that
# /places/ (core.web.places) reads what is typed and suggests a few places; scripts
# may still post ``unit_code``.
UNIT_FIELD = "seal.unit"
MAX_UNIT_CODE = 32  # Unit.code's length


class UnknownUnitCode(NotFound):
    message = N_("No unit has the code “%(code)s”. Check it and type it again.")


class UnitCodeMissing(TongbanError):
    status_code = 422
    message = N_("Type the unit's code, or pick one of the suggestions.")


class UnitDeactivated(TongbanError):
    status_code = 409
    message = N_("“%(unit)s” is deactivated.")


REASON_LABELS = {
    "unspecified": N_("Unspecified"),
    "key_compromise": N_("Key compromised"),
    "affiliation_changed": N_("Unit changed"),
    "superseded": N_("Superseded"),
    "cessation_of_operation": N_("Unit closed"),
}


async def _page(
    done: str = "", error: str | None = None, status_code: int = 200, typed_unit: str = ""
) -> Template:
    # No list of units here: a prefecture-level city has tens of thousands. The seal
    # form's input asks /places/ for a few as the admin types; the POST checks the code.
    initialised = await authority.is_initialised()
    return Template(
        "signing/admin.html",
        context={
            "initialised": initialised,
            "certificates": await authority.certificates() if initialised else [],
            "unit_field": UNIT_FIELD,
            "typed_unit": typed_unit,  # shown again with the error it caused
            "checkpoint": await audit.latest_checkpoint(),
            "flash": FLASH.get(done, ""),
            "error": error,
            "reasons": REASON_LABELS,
            "kind_labels": KIND_LABELS,
        },
        status_code=status_code,
    )


async def _unit_by_code(typed: str) -> dict:
    """The active unit with the code ``typed`` (one indexed look-up), or a clear refusal.

    Full-width digits and letters (a Chinese input method's) are read as ASCII."""
    code = unicodedata.normalize("NFKC", typed).strip()[: MAX_UNIT_CODE + 1]
    if not code:
        raise UnitCodeMissing()
    unit = None
    if len(code) <= MAX_UNIT_CODE:
        unit = (
            await Unit.select(Unit.id, Unit.code, Unit.name, Unit.active)
            .where(Unit.code == code)
            .first()
        )
    if unit is None:
        raise UnknownUnitCode(code=code[:MAX_UNIT_CODE])
    if not unit["active"]:
        raise UnitDeactivated(unit=f"{unit['name']} ({unit['code']})")
    return unit


class SigningAdminController(Controller):
    path = "/admin/signing"
    guards = [require_roles(*ADMIN_ROLES)]

    @get("/", name="signing.admin")
    async def index(self, done: FromQuery[str] = "") -> Template:
        return await _page(done[:16])

    async def _act(self, action, typed_unit: str = "") -> Template | Redirect:
        try:
            done = await action()
        except TongbanError as exc:
            message = gettext(current_locale.get(), exc.message, **exc.params)
            return await _page(error=message, status_code=exc.status_code, typed_unit=typed_unit)
        return Redirect(f"/admin/signing/?done={done}")

    @post("/units", name="signing.admin.issue")
    async def issue(self, request: Request) -> Template | Redirect:
        form = await request.form()
        typed = str(form.get(UNIT_FIELD) or form.get("unit_code") or "")[:200]

        async def go() -> str:
            unit = await _unit_by_code(typed)
            await authority.issue_unit_certificate(unit["id"])
            return "issued"

        return await self._act(go, typed_unit=typed.strip()[:MAX_UNIT_CODE])

    @post("/revoke", name="signing.admin.revoke")
    async def revoke(self, request: Request) -> Template | Redirect:
        form = await request.form()

        async def go() -> str:
            await authority.revoke(
                str(form.get("serial") or "")[:64], str(form.get("reason") or "")[:32]
            )
            return "revoked"

        return await self._act(go)

    @post("/crl", name="signing.admin.crl")
    async def crl(self) -> Template | Redirect:
        async def go() -> str:
            issuing = await authority.certificates()
            for row in issuing:
                if row["kind"] == "issuing":
                    await authority.publish_crl(row["serial"])
            return "crl"

        return await self._act(go)

    @post("/checkpoint", name="signing.admin.checkpoint")
    async def checkpoint(self) -> Template | Redirect:
        async def go() -> str:
            if not await authority.is_initialised():
                raise authority.CaNotInitialised()
            await audit.make_checkpoint()
            return "checkpoint"

        return await self._act(go)
