"""Finding and registering residents without ever storing their numbers in clear."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.residents import crypto
from core.residents.tables import Resident


@dataclass(frozen=True)
class ResidentView:
    id: int
    name: str
    id_number_masked: str
    phone_masked: str


def _view(row: dict) -> ResidentView:
    return ResidentView(
        id=row["id"],
        name=row["name"],
        id_number_masked=crypto.mask_id_number(crypto.decrypt(row["id_number_enc"])),
        phone_masked=crypto.mask_phone(crypto.decrypt(row["phone_enc"])),
    )


async def find_by_id_number(id_number: str) -> ResidentView | None:
    row = (
        await Resident.select()
        .where(Resident.id_number_hash == crypto.lookup_hash("id", id_number.upper()))
        .first()
    )
    return _view(row) if row else None


async def register_or_get(name: str, id_number: str, phone: str = "") -> int:
    """Return the resident's id, registering them on first sight (idempotent by ID number)."""
    id_number = id_number.upper()
    key = crypto.lookup_hash("id", id_number)
    existing = await Resident.select(Resident.id).where(Resident.id_number_hash == key).first()
    if existing:
        return existing["id"]
    birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    resident = Resident(
        name=name,
        birth_date=birth,
        id_number_enc=crypto.encrypt(id_number),
        id_number_hash=key,
        id_last4=crypto.lookup_hash("id4", id_number[-4:]),
        phone_enc=crypto.encrypt(phone),
        phone_hash=crypto.lookup_hash("phone", phone) if phone else "",
        phone_last4=crypto.lookup_hash("phone4", phone[-4:]) if phone else "",
    )
    await resident.save()
    return resident.id


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
    return last4 and (
        row["id_last4"] == crypto.lookup_hash("id4", last4)
        or (row["phone_last4"] and row["phone_last4"] == crypto.lookup_hash("phone4", last4))
    )
