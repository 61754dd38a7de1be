"""Passwords (argon2), logging in, and building a principal from the database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.catalog.registry import get_catalog
from core.i18n import N_
from core.tenancy.passwords import demo_passwords
from core.tenancy.scope import MembershipView, Principal, anchor_path
from core.tenancy.tables import Membership, Staff

_hasher = PasswordHasher()
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
# Verifying against a dummy hash keeps "no such user" as slow as "wrong password".
_DUMMY_HASH = _hasher.hash("tongban-dummy-password")

WRONG = N_("Wrong username or password.")
LOCKED = N_("Too many failed attempts. Try again in 15 minutes.")
BUSY = N_("This account is being logged in to several times at once. Please try again in a moment.")


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


async def authenticate(username: str, password: str, *, demo_site: bool = True) -> tuple[int, int]:
    """Return ``(staff id, auth epoch)``, or raise LoginRefused.

    Locks an account after repeated failures. Outside the demo site, logging in
    with one of the demo passwords works once, then forces a new password.
    """
    now = datetime.now(UTC)
    staff = await Staff.objects().where(Staff.username == username.strip()).first()
    if staff is None or not staff.active or staff.service:
        await _checked(_DUMMY_HASH, password)
        raise LoginRefused(WRONG)
    if staff.locked_until and staff.locked_until > now:
        raise LoginRefused(LOCKED)
    if staff.locked_until:  # the lockout is over: count afresh (once, however many ask)
        await Staff.update({Staff.failed_logins: 0, Staff.locked_until: None}).where(
            (Staff.id == staff.id) & (Staff.locked_until <= now)
        )
    # Each attempt takes its number before the (slow) check, in one statement: guesses
    # sent all at once would otherwise each read the same count, and none would lock.
    taken = (
        await Staff.update({Staff.failed_logins: Staff.failed_logins + 1})
        .where(
            (Staff.id == staff.id)
            & (Staff.failed_logins < MAX_FAILED_LOGINS)
            & Staff.locked_until.is_null()
        )
        .returning(Staff.failed_logins)
    )
    if not taken:  # as many attempts as allowed are failed or still being checked: not
        # locked for it (right passwords may be among them; the wrong ones lock when they
        # fail), but not checked either, or a burst would get more guesses than the limit
        raise LoginRefused(BUSY)
    if not await _checked(staff.password_hash, password):
        if taken[0]["failed_logins"] >= MAX_FAILED_LOGINS:
            await _lock(staff.id, now)
        raise LoginRefused(WRONG)
    updates = {Staff.failed_logins: 0, Staff.locked_until: None}
    if not demo_site and not staff.must_change_password and password in demo_passwords():
        updates[Staff.must_change_password] = True
    if _hasher.check_needs_rehash(staff.password_hash):
        updates[Staff.password_hash] = hash_password(password)
    await Staff.update(updates).where(Staff.id == staff.id)
    return staff.id, staff.auth_epoch


async def _checked(password_hash: str, password: str) -> bool:
    """:func:`verify_password` off the event loop: argon2 takes a good part of a second on
    purpose, and every other request of the process would wait for it."""
    return await asyncio.to_thread(verify_password, password_hash, password)


async def _lock(staff_id: int, now: datetime) -> None:
    """Lock the account for :data:`LOCKOUT` (its count is reset when the lockout ends)."""
    await Staff.update({Staff.locked_until: now + LOCKOUT}).where(
        (Staff.id == staff_id) & Staff.locked_until.is_null()
    )


# The memberships of one staff member with their staff and unit columns, keyed as the
# ORM's joined select keys them ("staff.id", "unit.code", …). Plain column references,
# so SQLite still converts the BOOLEAN and other declared types.
_PRINCIPAL_SQL = """
SELECT m.role AS "role",
       s.id AS "staff.id", s.username AS "staff.username",
       s.display_name AS "staff.display_name", s.active AS "staff.active",
       s.service AS "staff.service", s.auth_epoch AS "staff.auth_epoch",
       s.must_change_password AS "staff.must_change_password",
       u.id AS "unit.id", u.code AS "unit.code", u.name AS "unit.name",
       u.name_en AS "unit.name_en", u.kind AS "unit.kind", u.path AS "unit.path",
       u.level AS "unit.level", u.active AS "unit.active"
FROM tenancy_membership m
JOIN tenancy_staff s ON s.id = m.staff
JOIN tenancy_unit u ON u.id = m.unit
WHERE m.staff = {}
ORDER BY m.id
"""


async def load_principal(staff_id: int, epoch: int | None = None) -> Principal | None:
    """The staff member with their active memberships; ``None`` if disabled.

    ``epoch`` is the one stored in the session: a password change or a
    disabled account bumps it, so sessions opened before are no longer valid.
    Runs on every request, so it is one query (memberships joined to their
    staff and unit) unless the person holds no membership at all — written out
    once (:data:`_PRINCIPAL_SQL`): building the same 15-column, two-join select
    with the ORM cost more CPU on every request than the database took to answer.
    """
    rows = await Membership.raw(_PRINCIPAL_SQL, staff_id)
    if rows:
        staff = {key.removeprefix("staff."): value for key, value in rows[0].items()}
    else:
        staff = (
            await Staff.select(
                Staff.id,
                Staff.username,
                Staff.display_name,
                Staff.active,
                Staff.service,
                Staff.auth_epoch,
                Staff.must_change_password,
            )
            .where(Staff.id == staff_id)
            .first()
        )
    if not staff or not staff["active"] or staff["service"]:
        return None
    if epoch is not None and epoch != staff["auth_epoch"]:
        return None
    return Principal(
        staff_id=staff["id"],
        username=staff["username"],
        display_name=staff["display_name"],
        memberships=tuple(
            view
            for r in rows
            if r["unit.active"] and (view := membership_view(r, "unit.", r["role"]))
        ),
        must_change_password=staff["must_change_password"],
    )


def membership_view(row: dict, prefix: str, role: str) -> MembershipView | None:
    """A membership as the scoping layer sees it, from a row of unit columns.

    A role no loaded plugin declares (its plugin was removed) grants nothing.
    """
    catalog = get_catalog()
    kind = catalog.unit_kinds.get(row[f"{prefix}kind"])
    role_def = catalog.roles.get(role)
    if role_def is None:
        return None
    return MembershipView(
        unit_id=row[f"{prefix}id"],
        unit_code=row[f"{prefix}code"],
        unit_name=row[f"{prefix}name"],
        unit_name_en=row.get(f"{prefix}name_en", ""),
        unit_kind=row[f"{prefix}kind"],
        unit_path=row[f"{prefix}path"],
        anchor_path=anchor_path(row[f"{prefix}path"], row[f"{prefix}kind"]),
        level=row[f"{prefix}level"],
        role=role,
        department=bool(kind and kind.department),
        read_only=role_def.read_only,
        admin=role_def.admin and not role_def.read_only,
    )
