"""Creating staff accounts (the CLI and, later, the admin console use this)."""

from __future__ import annotations

from core.catalog.registry import get_catalog
from core.db import transaction
from core.errors import TongbanError
from core.i18n import N_
from core.tenancy.auth import hash_password
from core.tenancy.tables import Membership, Staff, Unit


class AccountError(TongbanError):
    message = N_("The account could not be created: %(reason)s")


async def create_staff(
    username: str, display_name: str, password: str, unit_code: str, role: str
) -> int:
    if role not in get_catalog().roles:
        raise AccountError(reason=f"unknown role {role!r}")
    unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
    if unit is None:
        raise AccountError(reason=f"unknown unit {unit_code!r}")
    if await Staff.exists().where(Staff.username == username):
        raise AccountError(reason=f"username {username!r} is taken")
    async with transaction():
        staff = (
            await Staff.insert(
                Staff(
                    username=username,
                    display_name=display_name,
                    password_hash=hash_password(password),
                )
            ).returning(Staff.id)
        )[0]
        await Membership.insert(Membership(staff=staff["id"], unit=unit["id"], role=role))
    return staff["id"]
