"""Passwords (argon2) and building a principal from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.catalog.registry import get_catalog
from core.tenancy.scope import MembershipView, Principal, anchor_path
from core.tenancy.tables import Membership, Staff

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Verifying against a dummy hash keeps "no such user" as slow as "wrong password".
_DUMMY_HASH = _hasher.hash("tongban-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class LoginRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason  # an English msgid
        super().__init__(reason)


async def authenticate(username: str, password: str) -> int:
    """Return the staff id, or raise LoginRefused. Locks an account after repeated failures."""
    now = datetime.now(UTC)
    staff = await Staff.objects().where(Staff.username == username.strip()).first()
    if staff is None or not staff.active:
        verify_password(_DUMMY_HASH, password)
        raise LoginRefused("Wrong username or password.")
    if staff.locked_until and staff.locked_until > now:
        raise LoginRefused("Too many failed attempts. Try again in 15 minutes.")
    if not verify_password(staff.password_hash, password):
        failed = staff.failed_logins + 1
        locked = now + LOCKOUT if failed >= MAX_FAILED_LOGINS else None
        await Staff.update(
            {Staff.failed_logins: 0 if locked else failed, Staff.locked_until: locked}
        ).where(Staff.id == staff.id)
        raise LoginRefused("Wrong username or password.")
    if staff.failed_logins or staff.locked_until:
        await Staff.update({Staff.failed_logins: 0, Staff.locked_until: None}).where(
            Staff.id == staff.id
        )
    return staff.id


async def load_principal(staff_id: int) -> Principal | None:
    staff = (
        await Staff.select(Staff.id, Staff.username, Staff.display_name, Staff.active)
        .where(Staff.id == staff_id)
        .first()
    )
    if not staff or not staff["active"]:
        return None
    rows = await Membership.select(
        Membership.role,
        Membership.unit.id,
        Membership.unit.code,
        Membership.unit.name,
        Membership.unit.kind,
        Membership.unit.path,
        Membership.unit.level,
        Membership.unit.active,
    ).where(Membership.staff == staff_id)
    kinds = get_catalog().unit_kinds
    memberships = tuple(
        MembershipView(
            unit_id=r["unit.id"],
            unit_code=r["unit.code"],
            unit_name=r["unit.name"],
            unit_kind=r["unit.kind"],
            unit_path=r["unit.path"],
            anchor_path=anchor_path(r["unit.path"], r["unit.kind"]),
            level=r["unit.level"],
            role=r["role"],
            department=bool(kinds.get(r["unit.kind"]) and kinds[r["unit.kind"]].department),
        )
        for r in rows
        if r["unit.active"]
    )
    return Principal(
        staff_id=staff["id"],
        username=staff["username"],
        display_name=staff["display_name"],
        memberships=memberships,
    )
