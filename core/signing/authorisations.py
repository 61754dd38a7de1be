"""Residents' authorisations for proxy filing (代办授权).

A village agent files for a resident only with the resident's consent:
a signature drawn on the agent's tablet (PNG from a canvas) or the scan of
a signed paper form.  The consent names the resident by the keyed hash of
their ID number, the agent and their unit, optionally one item, and lapses
after :data:`VALID_FOR` if unused.  A submission by proxy binds exactly
one unused consent to the new case, in the case's transaction; the consent's
id and image hash go into the case's hash-chained submit event.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import warnings

from PIL import Image, UnidentifiedImageError

from core.catalog.forms import FieldError, load_form, validate
from core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed
from core.i18n import N_
from core.residents import crypto
from core.settings import site_today
from core.signing.tables import Authorisation
from core.tenancy.scope import Principal

VALID_FOR = dt.timedelta(days=30)
MAX_BYTES = 5 * 1024 * 1024
# A drawn signature leaves at least this many dark pixels; fewer is an empty canvas.
MIN_INK_PIXELS = 60
METHODS = ("tablet", "paper")
AGENT_ROLES = ("village_agent",)

# The same rules as the filing form's applicant section, so a consent can be
# recorded for exactly the ID numbers a case can be filed for.
RESIDENT_FORM = load_form(
    {
        "fields": [
            {"name": "name", "type": "text", "label": "姓名", "required": True, "max_length": 64},
            {"name": "id_number", "type": "id_number", "label": "公民身份号码", "required": True},
        ]
    }
)


class AuthorisationRequired(ValidationFailed):
    """Shown on the filing form, under the applicant's name, so nothing typed is lost."""

    def __init__(self) -> None:
        super().__init__(
            [
                FieldError(
                    path="applicant.name",
                    message=N_(
                        "No authorisation from this applicant is on record. Record the "
                        "applicant's authorisation (signature on the tablet or a signed paper "
                        "form) first, then submit again."
                    ),
                )
            ]
        )


class AuthorisationNotFound(NotFound):
    message = N_("No such authorisation.")


class BadAuthorisation(TongbanError):
    status_code = 422
    message = N_("The authorisation cannot be recorded.")


def _bad(message: str) -> BadAuthorisation:
    return BadAuthorisation(message)


def resident_hash(id_number: str) -> str:
    """The same keyed hash core.residents files the resident under."""
    return crypto.lookup_hash("id", id_number.strip().upper())


def decode_data_url(text: str) -> bytes:
    """The bytes of a ``data:image/png;base64,…`` URL (what a canvas's toDataURL gives)."""
    head, _, body = (text or "").partition(",")
    if not head.startswith("data:image/png;base64"):
        raise _bad(N_("The signature is not a PNG image."))
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _bad(N_("The signature image is damaged. Please sign again.")) from exc


def _check_image(data: bytes, *, drawn: bool) -> str:
    """Decode the image fully; return its MIME type. A drawn signature must show ink."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, Warning) as exc:
        raise _bad(N_("The image cannot be read. Please take it again.")) from exc
    fmt = (image.format or "").upper()
    if fmt not in ("PNG", "JPEG"):
        raise _bad(N_("Only PNG or JPEG images and PDF scans are accepted."))
    if drawn:
        if fmt != "PNG":
            raise _bad(N_("The signature is not a PNG image."))
        flat = Image.new("RGBA", image.size, "white")
        flat.alpha_composite(image.convert("RGBA"))
        histogram = flat.convert("L").histogram()
        if sum(histogram[:128]) < MIN_INK_PIXELS:
            raise _bad(N_("The signature is empty. Ask the applicant to sign."))
    return "image/png" if fmt == "PNG" else "image/jpeg"


def _check_pdf(data: bytes) -> str:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.root["/Pages"]["/Count"] < 1:
            raise ValueError("no pages")
    except Exception as exc:  # pyHanko raises many types on a mangled file
        raise _bad(N_("The PDF scan cannot be read. Please scan it again.")) from exc
    return "application/pdf"


def check_evidence(data: bytes, method: str) -> str:
    """Validate the consent's image or scan; return its MIME type."""
    if method not in METHODS:
        raise _bad(N_("Choose a signature on the tablet or a scan of the signed paper form."))
    if not data:
        raise _bad(N_("The signature or scan is missing."))
    if len(data) > MAX_BYTES:
        raise _bad(N_("The file is larger than 5 MB."))
    if method == "paper" and data.startswith(b"%PDF-"):
        return _check_pdf(data)
    return _check_image(data, drawn=method == "tablet")


def _agent_unit(principal: Principal, unit_id: int | None) -> int:
    for m in principal.memberships_with(*AGENT_ROLES):
        if unit_id is None or m.unit_id == unit_id:
            return m.unit_id
    raise PermissionDenied()


async def record(
    principal: Principal,
    *,
    name: str,
    id_number: str,
    method: str,
    evidence: bytes,
    item_code: str = "",
    unit_id: int | None = None,
) -> dict:
    """Record a resident's consent taken by this agent; return its row (without the image)."""
    unit = _agent_unit(principal, unit_id)
    checked = validate(RESIDENT_FORM, {"name": name, "id_number": id_number}, today=site_today())
    failed = {e.path for e in checked.errors}
    if "name" in failed:
        raise _bad(N_("The applicant's name is missing."))
    if "id_number" in failed:
        raise _bad(N_("The ID number is not valid."))
    name, id_number = checked.values["name"], checked.values["id_number"]
    mime = check_evidence(evidence, method)
    now = dt.datetime.now(dt.UTC)
    row = Authorisation(
        resident_hash=resident_hash(id_number),
        resident_name=name,
        agent=principal.staff_id,
        unit=unit,
        item_code=(item_code or "")[:32],
        method=method,
        mime=mime,
        image=evidence,
        image_sha256=hashlib.sha256(evidence).hexdigest(),
        created_at=now,
        expires_at=now + VALID_FOR,
    )
    await row.save()
    # The row as :func:`get` would read it back, without reading it back.
    return {column._meta.name: getattr(row, column._meta.name) for column in SUMMARY}


SUMMARY = (
    Authorisation.id,
    Authorisation.resident_name,
    Authorisation.agent,
    Authorisation.unit,
    Authorisation.item_code,
    Authorisation.method,
    Authorisation.mime,
    Authorisation.image_sha256,
    Authorisation.created_at,
    Authorisation.expires_at,
    Authorisation.case,
    Authorisation.bound_at,
)


async def get(principal: Principal, authorisation_id: int) -> dict:
    """An authorisation its agent recorded (others' are not found, exactly as if absent)."""
    row = (
        await Authorisation.select(*SUMMARY)
        .where((Authorisation.id == authorisation_id) & (Authorisation.agent == principal.staff_id))
        .first()
    )
    if row is None:
        raise AuthorisationNotFound()
    return row


async def pending_for(principal: Principal) -> list[dict]:
    """This agent's consents not yet used by a case and not expired, newest first."""
    return await (
        Authorisation.select(*SUMMARY)
        .where(
            (Authorisation.agent == principal.staff_id)
            & Authorisation.case.is_null()
            & (Authorisation.expires_at > dt.datetime.now(dt.UTC))
        )
        .order_by(Authorisation.id, ascending=False)
        .limit(50)
    )


async def consent_for(
    principal: Principal,
    *,
    unit_id: int,
    item_code: str,
    id_number: str,
    authorisation_id: int | None = None,
) -> dict:
    """The consent a proxy submission will use, as the submit event records it.

    With ``authorisation_id`` that consent must fit; without, the agent's
    newest fitting one is used.  It fits when this agent recorded it at
    this unit for this resident (and this item, if it names one), it has
    not expired and no case uses it yet.  Raises :class:`AuthorisationRequired`
    (shown on the filing form) when none fits.  Reads only: :func:`bind`
    claims it inside the case's transaction.
    """
    fits = (
        (Authorisation.agent == principal.staff_id)
        & (Authorisation.unit == unit_id)
        & (Authorisation.resident_hash == resident_hash(id_number))
        & Authorisation.item_code.is_in(["", item_code])
        & Authorisation.case.is_null()
        & (Authorisation.expires_at > dt.datetime.now(dt.UTC))
    )
    if authorisation_id is not None:
        fits = fits & (Authorisation.id == authorisation_id)
    found = (
        await Authorisation.select(Authorisation.id, Authorisation.image_sha256)
        .where(fits)
        .order_by(Authorisation.id, ascending=False)
        .first()
    )
    if found is None:
        raise AuthorisationRequired()
    return {"authorisation": {"id": found["id"], "sha256": found["image_sha256"]}}


async def bind(consent: dict, case_id: int) -> None:
    """Bind the consent :func:`consent_for` found to the new case; call in its transaction.

    The ``case IS NULL`` condition makes a second, concurrent use bind
    nothing, and that submission is refused (its transaction rolls back).
    """
    bound = (
        await Authorisation.update(
            {Authorisation.case: case_id, Authorisation.bound_at: dt.datetime.now(dt.UTC)}
        )
        .where((Authorisation.id == consent["authorisation"]["id"]) & Authorisation.case.is_null())
        .returning(Authorisation.id)
    )
    if not bound:
        raise AuthorisationRequired()


async def evidence_of(principal: Principal, authorisation_id: int) -> dict:
    """The image/scan of a consent, for its agent or anyone who may see the bound case."""
    row = (
        await Authorisation.select(
            Authorisation.id,
            Authorisation.agent,
            Authorisation.case,
            Authorisation.mime,
            Authorisation.image,
        )
        .where(Authorisation.id == authorisation_id)
        .first()
    )
    if row is None:
        raise AuthorisationNotFound()
    if row["agent"] != principal.staff_id:
        if row["case"] is None:
            raise AuthorisationNotFound()
        from core.cases.services import visible_case
        from core.errors import CaseNotFound

        try:
            await visible_case(principal, row["case"])
        except CaseNotFound:
            raise AuthorisationNotFound() from None
    return row
