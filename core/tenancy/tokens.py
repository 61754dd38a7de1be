"""API tokens for department systems, each scoped to one unit and one role.

A department's own system (a tax bureau's back office, a bank's teller
system) calls the JSON API with ``Authorization: Bearer tb_…``. The token
acts as a service account that holds exactly one membership — the token's
unit and role — so the scoping layer treats it like a person holding that
role there, no more. Admin roles cannot be given to a token. The secret is
shown once, at creation; only its SHA-256 is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta

from core.catalog.registry import get_catalog
from core.db import transaction
from core.errors import PermissionDenied
from core.i18n import N_
from core.tenancy import audit
from core.tenancy.auth import membership_view
from core.tenancy.errors import Refused, TokenNotFound, UnitNotFound
from core.tenancy.scope import Principal, in_admin_scope, require_write, token_visibility
from core.tenancy.tables import ApiToken, Staff, Unit

PREFIX = "tb_"
SHAPE = re.compile(r"^tb_[A-Za-z0-9_-]{40,64}$")
# Writing "last used" on every call would turn each read into a write.
TOUCH_EVERY = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_token(
    principal: Principal,
    *,
    name: str,
    unit_code: str,
    role: str,
    valid_days: int | None = 365,
) -> tuple[int, str]:
    """Create a token; returns its id and the secret (shown to the admin once)."""
    require_write(principal)
    name = name.strip()
    if not name or len(name) > 64:
        raise Refused(N_("A name is required, at most 64 characters."))
    roles = get_catalog().roles
    if role not in roles:
        raise Refused(N_("Unknown role: %(role)s"), role=role[:40])
    if roles[role].admin:
        raise PermissionDenied()
    if valid_days is not None and not 1 <= valid_days <= 3660:
        raise Refused(N_("A token is valid for 1 to 3,660 days."))
    unit = (
        await Unit.select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.active)
        .where(Unit.code == unit_code.strip())
        .first()
    )
    if unit is None or not in_admin_scope(principal, unit["path"], write=True):
        raise UnitNotFound()
    if not unit["active"]:
        raise Refused(N_("“%(unit)s” is deactivated."), unit=unit["name"])
    secret = PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    async with transaction():
        account = (
            await Staff.insert(
                Staff(
                    # Its own random name: no part of the secret beyond the prefix the
                    # console shows is stored or printed anywhere.
                    username=f"api:{secrets.token_hex(8)}",
                    display_name=name,
                    password_hash="",  # never matches: service accounts do not log in
                    service=True,
                )
            ).returning(Staff.id)
        )[0]
        token = (
            await ApiToken.insert(
                ApiToken(
                    name=name,
                    prefix=secret[:10],
                    secret_hash=_digest(secret),
                    staff=account["id"],
                    unit=unit["id"],
                    role=role,
                    created_by=principal.staff_id,
                    created_at=now,
                    expires_at=now + timedelta(days=valid_days) if valid_days else None,
                )
            ).returning(ApiToken.id)
        )[0]
        await audit.record(
            principal,
            "token.create",
            unit_id=unit["id"],
            target=f"{name} ({secret[:10]}…)",
            details={"role": role, "unit": unit["code"], "valid_days": valid_days},
        )
    return token["id"], secret


async def list_tokens(principal: Principal) -> list[dict]:
    where = token_visibility(principal)
    if where is None:
        return []
    return await (
        ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.role,
            ApiToken.created_at,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.last_used_at,
            ApiToken.unit.name,
            ApiToken.unit.name_en,
            ApiToken.unit.code,
        )
        .where(where)
        .order_by(ApiToken.id, ascending=False)
    )


async def revoke_token(principal: Principal, token_id: int) -> None:
    require_write(principal)
    where = token_visibility(principal, write=True)
    row = None
    if where is not None:
        row = (
            await ApiToken.select(
                ApiToken.id, ApiToken.name, ApiToken.prefix, ApiToken.revoked_at, ApiToken.unit
            )
            .where((ApiToken.id == token_id) & where)
            .first()
        )
    if row is None:
        raise TokenNotFound()
    if row["revoked_at"] is not None:
        return
    async with transaction():
        await ApiToken.update({ApiToken.revoked_at: datetime.now(UTC)}).where(
            ApiToken.id == token_id
        )
        await audit.record(
            principal,
            "token.revoke",
            unit_id=row["unit"],
            target=f"{row['name']} ({row['prefix']}…)",
        )


async def principal_for_token(secret: str) -> Principal | None:
    """The service principal a bearer token stands for; ``None`` if unknown, expired or revoked."""
    if not SHAPE.match(secret):
        return None
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.role,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            ApiToken.last_used_at,
            ApiToken.staff.id,
            ApiToken.staff.username,
            ApiToken.staff.display_name,
            ApiToken.staff.active,
            ApiToken.unit.id,
            ApiToken.unit.code,
            ApiToken.unit.name,
            ApiToken.unit.name_en,
            ApiToken.unit.kind,
            ApiToken.unit.path,
            ApiToken.unit.level,
            ApiToken.unit.active,
        )
        .where(ApiToken.secret_hash == _digest(secret))
        .first()
    )
    now = datetime.now(UTC)
    if (
        row is None
        or row["revoked_at"] is not None
        or (row["expires_at"] is not None and row["expires_at"] <= now)
        or not row["staff.active"]
        or not row["unit.active"]
    ):
        return None
    view = membership_view(row, "unit.", row["role"])
    if view is None or view.admin:
        return None
    if row["last_used_at"] is None or now - row["last_used_at"] > TOUCH_EVERY:
        await ApiToken.update({ApiToken.last_used_at: now}).where(ApiToken.id == row["id"])
    return Principal(
        staff_id=row["staff.id"],
        username=row["staff.username"],
        display_name=row["staff.display_name"],
        memberships=(view,),
        via_token=True,
    )
