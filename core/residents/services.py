"""Finding and registering residents without ever storing their numbers in clear.

Who may find whom:

- by full ID number: anyone who files cases, anywhere in the city — the
  resident is standing there with their card;
- by name + birth date or by phone: only residents registered in the
  searcher's own subtree, or who have a case the searcher may see. A phone
  number alone must not reveal a stranger's name across the city.

Results carry masked numbers only. A full number is shown through
:func:`reveal`, which checks that the viewer's role needs it and writes a
:class:`ResidentAccess` row in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.catalog.forms import FieldError, load_form, validate
from core.db import transaction
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.i18n import N_
from core.residents import crypto
from core.residents.tables import Resident, ResidentAccess
from core.settings import site_today
from core.tenancy.scope import Principal

# Which roles need which full value, and why (shown in the access log).
FULL_VIEW_ROLES: dict[str, tuple[str, ...]] = {
    "window_clerk": (
        "id_number",
        "phone",
    ),  # checks the card at acceptance, calls about supplements
    "dept_reviewer": ("id_number",),  # checks entitlement against other registers
    "dept_approver": ("id_number",),
    "village_agent": ("phone",),  # calls the resident when the result is ready
}
FIELDS = ("id_number", "phone")
FILING_ROLES = ("village_agent", "window_clerk")
MAX_RESULTS = 20

_NAME = {
    "name": "name",
    "type": "text",
    "label": "姓名",
    "label_en": "Name",
    "required": True,
    "max_length": 30,
}
_ID = {
    "name": "id_number",
    "type": "id_number",
    "label": "公民身份号码",
    "label_en": "Citizen ID number",
    "required": True,
}
_PHONE = {
    "name": "phone",
    "type": "mobile",
    "label": "手机号码",
    "label_en": "Mobile phone",
    "required": True,
}
_BIRTH = {
    "name": "birth_date",
    "type": "date",
    "label": "出生日期",
    "label_en": "Date of birth",
    "required": True,
    "min": "1900-01-01",
    "max": "today",
}

REGISTRATION_FORM = load_form({"fields": [_NAME, _ID, _PHONE]})
SEARCH_FORMS = {
    "id": load_form({"fields": [_ID]}),
    "name": load_form({"fields": [_NAME, _BIRTH]}),
    "phone": load_form({"fields": [_PHONE]}),
}


class ResidentNotFound(NotFound):
    # Said alike for a resident who does not exist and one the caller may not see.
    message = N_("No such resident.")


class AlreadyRegistered(Exception):
    """Registration found the ID number already on file (not an error for the user)."""

    def __init__(self, resident_id: int):
        self.resident_id = resident_id
        super().__init__(resident_id)


@dataclass(frozen=True)
class ResidentView:
    """A resident as staff see them: numbers masked."""

    id: int
    name: str
    id_number_masked: str
    phone_masked: str
    has_phone: bool


@dataclass(frozen=True)
class ResidentMatch:
    """One search result. The name is masked unless the searcher typed it."""

    id: int
    name: str
    id_number_masked: str
    phone_masked: str


def _view(row: dict) -> ResidentView:
    phone = crypto.decrypt(row["phone_enc"])
    return ResidentView(
        id=row["id"],
        name=row["name"],
        id_number_masked=crypto.mask_id_number(crypto.decrypt(row["id_number_enc"])),
        phone_masked=crypto.mask_phone(phone) if phone else "",
        has_phone=bool(phone),
    )


def _birth_from_id(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def _filing_membership(principal: Principal, unit_id: int | None):
    memberships = principal.memberships_with(*FILING_ROLES)
    for m in memberships:
        if unit_id is None or m.unit_id == unit_id:
            return m
    raise PermissionDenied()


def _scope_clause(principal: Principal):
    """Residents registered under the principal's anchors, or with a case they may see."""
    from core.cases.tables import Case, Task  # cases sit above residents
    from core.tenancy.scope import resident_visibility, under

    anchors = sorted({m.anchor_path for m in principal.memberships if not m.department})
    clauses = [under(Resident.scope_path, anchor) for anchor in anchors]
    applied = resident_visibility(principal, Resident, Case, Task)
    if applied is not None:
        clauses.append(applied)
    if not clauses:
        return None
    where = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


async def find_by_id_number(id_number: str) -> ResidentView | None:
    row = (
        await Resident.select()
        .where(Resident.id_number_hash == crypto.lookup_hash("id", id_number.upper()))
        .first()
    )
    return _view(row) if row else None


async def search(principal: Principal, by: str, query: dict) -> list[ResidentMatch]:
    """Find residents by ``by`` = "id", "name" (+ birth date) or "phone".

    Invalid input raises :class:`ValidationFailed` with errors at the fields,
    so a mistyped ID number says what is wrong instead of "not found".
    """
    if not principal.memberships_with(*FILING_ROLES, *FULL_VIEW_ROLES):
        raise PermissionDenied()
    form = SEARCH_FORMS.get(by)
    if form is None:
        raise ValidationFailed([FieldError(path="by", message=N_("Choose how to search"))])
    result = validate(form, query, today=site_today())
    if result.errors:
        raise ValidationFailed(result.errors)
    values = result.values
    if by == "id":
        condition = Resident.id_number_hash == crypto.lookup_hash("id", values["id_number"])
    else:
        if by == "name":
            key = crypto.name_birth_hash(values["name"], values["birth_date"].isoformat())
            condition = Resident.name_birth_hash == key
        else:
            condition = Resident.phone_hash == crypto.lookup_hash("phone", values["phone"])
        scope = _scope_clause(principal)
        if scope is None:
            return []
        condition = condition & scope
    rows = await Resident.select().where(condition).order_by(Resident.id).limit(MAX_RESULTS)
    matches = []
    for row in rows:
        view = _view(row)
        matches.append(
            ResidentMatch(
                id=view.id,
                name=view.name if by in ("name", "id") else crypto.mask_name(view.name),
                id_number_masked=view.id_number_masked,
                phone_masked=view.phone_masked,
            )
        )
    return matches


def check_registration(values: dict, *, only: str | None = None) -> list[FieldError]:
    """The registration form's errors (the live check of one field with ``only``)."""
    return validate(REGISTRATION_FORM, values, only=only, today=site_today()).errors


async def register(principal: Principal, values: dict, *, unit_id: int | None = None) -> int:
    """Register a resident at the principal's filing unit. Returns the new id.

    Raises :class:`ValidationFailed` for bad input and :class:`AlreadyRegistered`
    (with the existing id) when the ID number is already on file.
    """
    membership = _filing_membership(principal, unit_id)
    result = validate(REGISTRATION_FORM, values, today=site_today())
    if result.errors:
        raise ValidationFailed(result.errors)
    clean = result.values
    key = crypto.lookup_hash("id", clean["id_number"])
    existing = await Resident.select(Resident.id).where(Resident.id_number_hash == key).first()
    if existing:
        raise AlreadyRegistered(existing["id"])
    resident = _new_resident(clean["name"], clean["id_number"], clean["phone"])
    resident.registered_unit = membership.unit_id
    resident.registered_by = principal.staff_id
    resident.scope_path = membership.anchor_path
    try:
        async with transaction():
            await resident.save()
    except Exception:
        # Two agents registering the same card at once: the unique index decides.
        existing = await Resident.select(Resident.id).where(Resident.id_number_hash == key).first()
        if existing:
            raise AlreadyRegistered(existing["id"]) from None
        raise
    return resident.id


def _new_resident(name: str, id_number: str, phone: str) -> Resident:
    birth = _birth_from_id(id_number)
    return Resident(
        name=name,
        birth_date=birth,
        id_number_enc=crypto.encrypt(id_number),
        id_number_hash=crypto.lookup_hash("id", id_number),
        id_last4=crypto.lookup_hash("id4", id_number[-4:]),
        phone_enc=crypto.encrypt(phone),
        phone_hash=crypto.lookup_hash("phone", phone) if phone else "",
        phone_last4=crypto.lookup_hash("phone4", phone[-4:]) if phone else "",
        name_birth_hash=crypto.name_birth_hash(name, birth.isoformat()),
    )


async def register_or_get(name: str, id_number: str, phone: str = "") -> int:
    """Return the resident's id, registering them on first sight (idempotent by ID number).

    Used when a case is filed with the applicant typed in (the window's form
    and the API); values are already validated by the caller.
    """
    id_number = id_number.upper()
    key = crypto.lookup_hash("id", id_number)
    existing = await Resident.select(Resident.id).where(Resident.id_number_hash == key).first()
    if existing:
        return existing["id"]
    resident = _new_resident(name, id_number, phone)
    await resident.save()
    return resident.id


async def visible(principal: Principal, resident_id: int, *, proven: bool = False) -> ResidentView:
    """The resident, masked, if the principal may see them.

    ``proven``: the principal typed this resident's full ID number in this
    session (the card is in hand), which makes them visible city-wide.
    """
    return _view(await _visible_row(principal, resident_id, proven=proven))


async def _visible_row(principal: Principal, resident_id: int, *, proven: bool) -> dict:
    """The resident's row, read once with the principal's scope (or by id alone when the
    card is in hand); a resident out of scope and a missing one are refused alike."""
    where = Resident.id == resident_id
    if not proven:
        scope = _scope_clause(principal)
        if scope is None:
            raise ResidentNotFound()
        where = where & scope
    row = await Resident.select().where(where).first()
    if row is None:
        raise ResidentNotFound()
    return row


async def applicant_view(resident_id: int) -> ResidentView | None:
    """The applicant of a case, masked. The caller has checked that the case is visible."""
    row = await Resident.select().where(Resident.id == resident_id).first()
    return _view(row) if row else None


def may_reveal(principal: Principal, field: str) -> bool:
    return any(field in FULL_VIEW_ROLES.get(m.role, ()) for m in principal.memberships)


async def reveal(
    principal: Principal, resident_id: int, field: str, *, purpose: str = "", proven: bool = False
) -> str:
    """The full ``field`` ("id_number" or "phone"), logged in the same transaction."""
    if field not in FIELDS or not may_reveal(principal, field):
        raise PermissionDenied()
    await visible(principal, resident_id, proven=proven)
    membership = next(m for m in principal.memberships if field in FULL_VIEW_ROLES.get(m.role, ()))
    async with transaction():
        row = (
            await Resident.select(Resident.id_number_enc, Resident.phone_enc)
            .where(Resident.id == resident_id)
            .first()
        )
        await ResidentAccess.insert(
            ResidentAccess(
                resident=resident_id,
                staff=principal.staff_id,
                staff_name=principal.display_name[:64],
                unit=membership.unit_id,
                role=membership.role,
                field=field,
                purpose=purpose[:200],
            )
        )
    return crypto.decrypt(row[f"{field}_enc"])


async def access_log(resident_id: int, limit: int = 100) -> list[dict]:
    return await (
        ResidentAccess.select()
        .where(ResidentAccess.resident == resident_id)
        .order_by(ResidentAccess.id, ascending=False)
        .limit(limit)
    )


def may_read_access_log(principal: Principal) -> bool:
    """Admins and auditors read who saw residents' full numbers, over their subtree."""
    from core.tenancy.scope import admin_paths

    return bool(admin_paths(principal, write=False))


async def access_entries(principal: Principal, *, field: str = "", limit: int = 200) -> list[dict]:
    """The full-number views an admin or auditor may inspect, newest first.

    Over their subtree: views of residents registered there and views by staff
    of units there. At the top of the tree, every view.
    """
    from core.tenancy.scope import admin_paths, is_root, under, unit_ids_under
    from core.tenancy.tables import Unit

    paths = admin_paths(principal, write=False)
    if not paths:
        raise PermissionDenied()
    where = ResidentAccess.id > 0
    if not any(is_root(p) for p in paths):
        residents = Resident.select(Resident.id).where(
            _any_of([under(Resident.scope_path, p) for p in paths])
        )
        where = ResidentAccess.resident.is_in(residents) | ResidentAccess.unit.is_in(
            unit_ids_under(paths)
        )
    if field in FIELDS:
        where = where & (ResidentAccess.field == field)
    rows = await (
        ResidentAccess.select()
        .where(where)
        .order_by(ResidentAccess.id, ascending=False)
        .limit(limit)
    )
    resident_ids = sorted({r["resident"] for r in rows})
    unit_ids = sorted({r["unit"] for r in rows if r["unit"]})
    names = {
        r["id"]: r["name"]
        for r in (
            await Resident.select(Resident.id, Resident.name).where(Resident.id.is_in(resident_ids))
            if resident_ids
            else []
        )
    }
    units = {
        u["id"]: u
        for u in (
            await Unit.select(Unit.id, Unit.name, Unit.name_en).where(Unit.id.is_in(unit_ids))
            if unit_ids
            else []
        )
    }
    return [
        r | {"resident_name": names.get(r["resident"], ""), "unit_row": units.get(r["unit"])}
        for r in rows
    ]


def _any_of(clauses):
    where = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


async def applicant_for_filing(principal: Principal, resident_id: int, *, proven: bool) -> dict:
    """The applicant section of a case filed for this resident (never shown, so not logged)."""
    return _applicant(await _visible_row(principal, resident_id, proven=proven))


async def for_filing(
    principal: Principal, resident_id: int, *, proven: bool
) -> tuple[ResidentView, dict]:
    """The resident as the filing pages show them (masked) and the applicant section of
    a case filed for them, from one scoped read."""
    row = await _visible_row(principal, resident_id, proven=proven)
    return _view(row), _applicant(row)


def _applicant(row: dict) -> dict:
    return {
        "name": row["name"],
        "id_number": crypto.decrypt(row["id_number_enc"]),
        "phone": crypto.decrypt(row["phone_enc"]),
    }


async def second_factor_matches(resident_id: int, last4: str) -> bool:
    """The public status page asks for the last 4 of the applicant's ID or phone."""
    last4 = last4.strip().upper()
    row = (
        await Resident.select(Resident.id_last4, Resident.phone_last4)
        .where(Resident.id == resident_id)
        .first()
    )
    if not row or len(last4) != 4:
        return False
    return bool(
        row["id_last4"] == crypto.lookup_hash("id4", last4)
        or (row["phone_last4"] and row["phone_last4"] == crypto.lookup_hash("phone4", last4))
    )
