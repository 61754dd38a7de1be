"""Staff accounts and their memberships: create, grant, withdraw, disable, passwords.

Admins manage staff only in their own subtree: they see people holding a
membership there, grant and withdraw roles at units there, and change an
account itself (disable it, reset its password) only when every one of its
memberships lies there — so no admin can lock out someone else's staff.
The command line acts without a principal and without limits.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from core.catalog.registry import get_catalog
from core.db import is_postgres, transaction
from core.errors import PermissionDenied, TongbanError
from core.i18n import N_
from core.tenancy import audit
from core.tenancy.auth import hash_password, verify_password
from core.tenancy.errors import PasswordRejected, Refused, StaffNotFound, UnitNotFound
from core.tenancy.passwords import problems as password_problems
from core.tenancy.scope import (
    Principal,
    admin_paths,
    in_admin_scope,
    is_root,
    membership_visibility,
    require_write,
    staff_visibility,
)
from core.tenancy.tables import Membership, Staff, Unit

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")


# -- reading ---------------------------------------------------------------------


async def list_staff(principal: Principal, text: str = "", *, limit: int = 100) -> list[dict]:
    where = staff_visibility(principal)
    if where is None:
        return []
    needle = "".join(ch for ch in text.strip() if ch not in "%_\\")[:64]
    if needle:
        pattern = f"%{needle}%"
        if is_postgres():
            where = where & (Staff.username.ilike(pattern) | Staff.display_name.ilike(pattern))
        else:
            where = where & (Staff.username.like(pattern) | Staff.display_name.like(pattern))
    rows = await (
        Staff.select(Staff.id, Staff.username, Staff.display_name, Staff.active)
        .where(where)
        .order_by(Staff.username)
        .limit(limit)
    )
    visible = await _memberships(principal, [r["id"] for r in rows])
    for row in rows:
        row["memberships"] = visible.get(row["id"], [])
    return rows


async def get_staff(principal: Principal, staff_id: int, *, write: bool = False) -> dict:
    """The account if it holds a membership the principal administers; else StaffNotFound.

    With ``write`` the account itself must lie wholly in the principal's subtrees.
    """
    if write:
        require_write(principal)
    where = staff_visibility(principal, write=write)
    if where is None:
        raise StaffNotFound()
    row = (
        await Staff.select(
            Staff.id,
            Staff.username,
            Staff.display_name,
            Staff.active,
            Staff.must_change_password,
            Staff.locked_until,
            Staff.created_at,
        )
        .where((Staff.id == staff_id) & where)
        .first()
    )
    if row is None:
        raise StaffNotFound()
    row["memberships"] = (await _memberships(principal, [staff_id])).get(staff_id, [])
    row["elsewhere"] = await Membership.count().where(Membership.staff == staff_id) - len(
        row["memberships"]
    )
    return row


async def _memberships(principal: Principal, staff_ids: list[int]) -> dict[int, list[dict]]:
    where = membership_visibility(principal)
    if where is None or not staff_ids:
        return {}
    rows = await (
        Membership.select(
            Membership.id,
            Membership.staff,
            Membership.role,
            Membership.unit.id,
            Membership.unit.code,
            Membership.unit.name,
            Membership.unit.name_en,
            Membership.unit.active,
        )
        .where(where & Membership.staff.is_in(staff_ids))
        .order_by(Membership.id)
    )
    grouped: dict[int, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["staff"], []).append(row)
    return grouped


async def _require_whole_account(principal: Principal, staff_id: int) -> dict:
    """The account, if every membership it holds lies in the principal's subtrees."""
    staff = await get_staff(principal, staff_id, write=True)
    paths = await Membership.select(Membership.unit.path).where(Membership.staff == staff_id)
    if not all(in_admin_scope(principal, r["unit.path"], write=True) for r in paths):
        raise Refused(
            N_(
                "This person also works for units outside your area; "
                "ask an administrator above you to change the account."
            )
        )
    if staff_id == principal.staff_id:
        raise Refused(N_("You cannot change your own account here."))
    return staff


# -- creating and granting ---------------------------------------------------------


def _may_handle_admin_role(principal: Principal, unit_path: str) -> bool:
    """Admins below the city grant and withdraw admin roles only for units below their own,
    never for a peer at their own unit."""
    if principal.is_site_admin:
        return True
    return (
        in_admin_scope(principal, unit_path, write=True)
        and not is_root(unit_path)
        and (unit_path not in admin_paths(principal, write=True))
    )


async def _unit_for_grant(principal: Principal | None, unit_code: str, role: str) -> dict:
    roles = get_catalog().roles
    if role not in roles:
        raise Refused(N_("Unknown role: %(role)s"), role=role[:40])
    unit = (
        await Unit.select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.active)
        .where(Unit.code == unit_code.strip())
        .first()
    )
    if principal is not None:
        require_write(principal)
        if unit is None or not in_admin_scope(principal, unit["path"], write=True):
            raise UnitNotFound()
        if roles[role].admin and not _may_handle_admin_role(principal, unit["path"]):
            raise PermissionDenied()
    elif unit is None:
        raise UnitNotFound()
    if roles[role].root_only and not is_root(unit["path"]):
        raise Refused(N_("This role is held at the top unit only."))
    if not unit["active"]:
        raise Refused(N_("“%(unit)s” is deactivated."), unit=unit["name"])
    return unit


async def create_staff(
    username: str,
    display_name: str,
    password: str,
    unit_code: str,
    role: str,
    *,
    principal: Principal | None = None,
    must_change_password: bool | None = None,
) -> int:
    """Create an account with one membership.

    Created by an admin, the password is a temporary one that must be changed
    at first login; created from the command line, it is the person's own.
    """
    username, display_name = username.strip(), display_name.strip()
    if not USERNAME.match(username):
        raise Refused(N_("A username is 3 to 64 letters, digits, dots, hyphens or underscores."))
    if not display_name or len(display_name) > 64:
        raise Refused(N_("A name is required, at most 64 characters."))
    unit = await _unit_for_grant(principal, unit_code, role)
    found = password_problems(password, username=username, display_name=display_name)
    if found:
        raise PasswordRejected(found)
    if await Staff.exists().where(Staff.username == username):
        raise Refused(N_("The username “%(username)s” is taken."), username=username)
    if must_change_password is None:
        must_change_password = principal is not None
    async with transaction():
        staff = (
            await Staff.insert(
                Staff(
                    username=username,
                    display_name=display_name,
                    password_hash=hash_password(password),
                    must_change_password=must_change_password,
                    password_changed_at=datetime.now(UTC),
                )
            ).returning(Staff.id)
        )[0]
        await Membership.insert(Membership(staff=staff["id"], unit=unit["id"], role=role))
        await audit.record(
            principal,
            "staff.create",
            unit_id=unit["id"],
            target=f"{display_name} ({username})",
            details={"role": role, "unit": unit["code"]},
        )
    return staff["id"]


async def grant(principal: Principal, staff_id: int, unit_code: str, role: str) -> None:
    staff = await get_staff(principal, staff_id, write=True)
    unit = await _unit_for_grant(principal, unit_code, role)
    if await Membership.exists().where(
        (Membership.staff == staff_id) & (Membership.unit == unit["id"]) & (Membership.role == role)
    ):
        raise Refused(N_("This person already holds that role there."))
    async with transaction():
        await Membership.insert(Membership(staff=staff_id, unit=unit["id"], role=role))
        await audit.record(
            principal,
            "membership.add",
            unit_id=unit["id"],
            target=f"{staff['display_name']} ({staff['username']})",
            details={"role": role, "unit": unit["code"]},
        )


async def withdraw(
    principal: Principal, membership_id: int, *, staff_id: int | None = None
) -> None:
    """Withdraw one membership (of ``staff_id``, when given) at a unit the principal administers."""
    require_write(principal)
    where = membership_visibility(principal, write=True)
    row = None
    if where is not None:
        row = (
            await Membership.select(
                Membership.id,
                Membership.role,
                Membership.staff.id,
                Membership.staff.username,
                Membership.staff.display_name,
                Membership.unit.id,
                Membership.unit.code,
                Membership.unit.path,
            )
            .where((Membership.id == membership_id) & where)
            .first()
        )
    if row is None or (staff_id is not None and row["staff.id"] != staff_id):
        raise StaffNotFound()
    if row["staff.id"] == principal.staff_id:
        raise Refused(N_("You cannot change your own account here."))
    roles = get_catalog().roles
    if (
        row["role"] in roles
        and roles[row["role"]].admin
        and not _may_handle_admin_role(principal, row["unit.path"])
    ):
        raise PermissionDenied()
    async with transaction():
        await Membership.delete().where(Membership.id == membership_id)
        await audit.record(
            principal,
            "membership.remove",
            unit_id=row["unit.id"],
            target=f"{row['staff.display_name']} ({row['staff.username']})",
            details={"role": row["role"], "unit": row["unit.code"]},
        )


async def set_staff_active(principal: Principal, staff_id: int, active: bool) -> None:
    staff = await _require_whole_account(principal, staff_id)
    if staff["active"] == active:
        return
    unit_id = staff["memberships"][0]["unit.id"] if staff["memberships"] else None
    async with transaction():
        updates = {Staff.active: active}
        if not active:
            updates[Staff.auth_epoch] = Staff.auth_epoch + 1  # end open sessions now
        await Staff.update(updates).where(Staff.id == staff_id)
        await audit.record(
            principal,
            "staff.activate" if active else "staff.deactivate",
            unit_id=unit_id,
            target=f"{staff['display_name']} ({staff['username']})",
        )


async def reset_password(principal: Principal, staff_id: int, password: str) -> None:
    """Set a temporary password, to be changed at next login; open sessions end."""
    staff = await _require_whole_account(principal, staff_id)
    found = password_problems(
        password, username=staff["username"], display_name=staff["display_name"]
    )
    if found:
        raise PasswordRejected(found)
    unit_id = staff["memberships"][0]["unit.id"] if staff["memberships"] else None
    async with transaction():
        await Staff.update(
            {
                Staff.password_hash: hash_password(password),
                Staff.must_change_password: True,
                Staff.auth_epoch: Staff.auth_epoch + 1,
                Staff.failed_logins: 0,
                Staff.locked_until: None,
            }
        ).where(Staff.id == staff_id)
        await audit.record(
            principal,
            "staff.reset_password",
            unit_id=unit_id,
            target=f"{staff['display_name']} ({staff['username']})",
        )


class WrongCurrentPassword(TongbanError):
    status_code = 422
    message = N_("Your current password is not correct.")


async def change_own_password(staff_id: int, current: str, new: str, confirm: str) -> int:
    """Change one's own password. Returns the new auth epoch (other sessions end)."""
    staff = await Staff.objects().where(Staff.id == staff_id).first()
    if staff is None or not staff.active:
        raise StaffNotFound()
    if not verify_password(staff.password_hash, current):
        raise WrongCurrentPassword()
    found = password_problems(new, username=staff.username, display_name=staff.display_name)
    if new == current:
        found.append(N_("The new password must differ from the current one."))
    if new != confirm:
        found.append(N_("The two new passwords differ."))
    if found:
        raise PasswordRejected(found)
    epoch = staff.auth_epoch + 1
    await Staff.update(
        {
            Staff.password_hash: hash_password(new),
            Staff.must_change_password: False,
            Staff.auth_epoch: epoch,
            Staff.password_changed_at: datetime.now(UTC),
        }
    ).where(Staff.id == staff_id)
    return epoch
