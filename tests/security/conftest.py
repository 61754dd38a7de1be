"""Browsers from chosen client addresses, and throwaway staff accounts, for the attacks."""

from __future__ import annotations

from functools import lru_cache

from core.tenancy.auth import hash_password
from core.tenancy.tables import Membership, Staff, Unit

PASSWORD = "Pentest-account-2026"


@lru_cache(maxsize=1)
def _hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once


async def staff_account(username: str, unit_code: str, role: str) -> int:
    unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
    staff = (
        await Staff.insert(
            Staff(username=username, display_name=username, password_hash=_hash())
        ).returning(Staff.id)
    )[0]["id"]
    await Membership.insert(Membership(staff=staff, unit=unit["id"], role=role))
    return staff
