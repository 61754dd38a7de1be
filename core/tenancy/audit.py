"""The admin audit log: who changed which unit, level, account or token, and how.

Entries are written in the same transaction as the change they describe and
never updated. Reads are scoped through the unit an entry concerns.
"""

from __future__ import annotations

from typing import Any

from core.i18n import N_
from core.tenancy.scope import Principal, admin_event_visibility
from core.tenancy.tables import AdminEvent

# Every action the log knows, with the label shown in the console.
ACTIONS: dict[str, str] = {
    "level.add": N_("Level added"),
    "level.rename": N_("Level renamed"),
    "level.kinds": N_("Allowed unit kinds changed"),
    "level.remove": N_("Level removed"),
    "unit.create": N_("Unit created"),
    "unit.rename": N_("Unit renamed"),
    "unit.move": N_("Unit moved"),
    "unit.relevel": N_("Unit's level changed"),
    "unit.deactivate": N_("Unit deactivated"),
    "unit.activate": N_("Unit reactivated"),
    "units.import": N_("Units imported"),
    "staff.create": N_("Account created"),
    "staff.deactivate": N_("Account disabled"),
    "staff.activate": N_("Account enabled"),
    "staff.reset_password": N_("Password reset"),
    "membership.add": N_("Role granted"),
    "membership.remove": N_("Role withdrawn"),
    "token.create": N_("API token created"),
    "token.revoke": N_("API token revoked"),
}


async def record(
    actor: Principal | None,
    action: str,
    *,
    unit_id: int | None,
    target: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry. Call inside the transaction that makes the change."""
    if action not in ACTIONS:
        raise ValueError(f"unknown admin action {action!r}")
    await AdminEvent.insert(
        AdminEvent(
            actor=actor.staff_id if actor else None,
            actor_name=actor.display_name if actor else "system",
            action=action,
            unit=unit_id,
            target=target[:160],
            details=details or {},
        )
    )


async def entries(
    principal: Principal,
    *,
    action: str = "",
    unit_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[dict]:
    """Newest first, only entries about units the principal administers or inspects."""
    where = admin_event_visibility(principal)
    if where is None:
        return []
    if action:
        where = where & (AdminEvent.action == action)
    if unit_id is not None:
        where = where & (AdminEvent.unit == unit_id)
    if before_id is not None:
        where = where & (AdminEvent.id < before_id)
    return await (
        AdminEvent.select(
            AdminEvent.id,
            AdminEvent.at,
            AdminEvent.actor_name,
            AdminEvent.action,
            AdminEvent.target,
            AdminEvent.details,
            AdminEvent.unit.id,
            AdminEvent.unit.name,
            AdminEvent.unit.name_en,
        )
        .where(where)
        .order_by(AdminEvent.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
