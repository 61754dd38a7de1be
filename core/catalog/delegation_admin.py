"""The city admin's decisions about delegation and plugin switches, with their audit.

Each change writes the rule (or switch) and its audit event in one
transaction. Only a ``city_admin`` may decide, and only for units inside the
subtree of their membership.
"""

from __future__ import annotations

from datetime import UTC, datetime

from core.catalog.registry import get_catalog
from core.catalog.tables import CatalogAdminEvent, DelegationRule, PluginSwitch
from core.db import transaction
from core.errors import NotFound, PermissionDenied, TongbanError
from core.i18n import N_
from core.tenancy.scope import Principal
from core.tenancy.tables import LevelRow, Unit

ADMIN_ROLE = "city_admin"
MAX_REASON = 500


class UnknownItem(NotFound):
    message = N_("No such item.")


class UnknownUnit(NotFound):
    message = N_("No such unit.")


class UnknownPlugin(NotFound):
    message = N_("No plugin of that name is loaded.")


class BadDelegation(TongbanError):
    status_code = 422
    message = N_("This rule cannot be saved: %(problem)s")


def rule_key(item_code: str, unit_code: str, level: str) -> str:
    """One rule per (item, unit, level). By unit code, which stays put when an admin
    moves the unit (its path changes, and follows through tongban_scope_path_columns)."""
    return f"{item_code}|{unit_code}|{level}"


async def admin_unit(principal: Principal, unit_code: str) -> dict:
    """The unit if ``principal`` administers it (city admin above it); else an error."""
    unit = (
        await Unit.select(Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.path, Unit.level)
        .where(Unit.code == unit_code[:32])
        .first()
    )
    if unit is None:
        raise UnknownUnit()
    if not any(
        unit["path"].startswith(m.unit_path) for m in principal.memberships_with(ADMIN_ROLE)
    ):
        raise PermissionDenied()
    return unit


def _check_item(item_code: str) -> None:
    if item_code not in get_catalog().items:
        raise UnknownItem()


async def _check_level(level: str) -> None:
    if level and not await LevelRow.exists().where(LevelRow.key == level):
        raise BadDelegation(problem=f"unknown level {level[:32]!r}")


async def _audit(principal: Principal, kind: str, unit: dict, reason: str, **fields) -> None:
    await CatalogAdminEvent.insert(
        CatalogAdminEvent(
            kind=kind,
            unit_code=unit["code"],
            unit_path=unit["path"],
            reason=reason.strip()[:MAX_REASON],
            actor=principal.staff_id,
            actor_name=principal.display_name[:64],
            at=datetime.now(UTC),
            **fields,
        )
    )


async def set_rule(
    principal: Principal,
    *,
    item_code: str,
    unit_code: str,
    level: str = "",
    allow: bool,
    reason: str = "",
) -> None:
    """Allow or deny ``item_code`` in the subtree of ``unit_code`` (at ``level`` only, if given)."""
    _check_item(item_code)
    unit = await admin_unit(principal, unit_code)
    await _check_level(level)
    key = rule_key(item_code, unit["code"], level)
    now = datetime.now(UTC)
    async with transaction():
        existing = await DelegationRule.select(DelegationRule.id).where(DelegationRule.key == key)
        if existing:
            await DelegationRule.update(
                {
                    DelegationRule.allow: allow,
                    DelegationRule.updated_by: principal.staff_id,
                    DelegationRule.updated_at: now,
                }
            ).where(DelegationRule.key == key)
        else:
            await DelegationRule.insert(
                DelegationRule(
                    key=key,
                    item_code=item_code,
                    unit_code=unit["code"],
                    unit_path=unit["path"],
                    level=level,
                    allow=allow,
                    updated_by=principal.staff_id,
                    updated_at=now,
                )
            )
        await _audit(
            principal,
            "rule_set",
            unit,
            reason,
            item_code=item_code,
            detail={"level": level, "allow": allow},
        )


async def clear_rule(
    principal: Principal, *, item_code: str, unit_code: str, level: str = "", reason: str = ""
) -> bool:
    """Remove a rule, so the enclosing rule or the plugin's proposal applies again."""
    _check_item(item_code)
    unit = await admin_unit(principal, unit_code)
    key = rule_key(item_code, unit["code"], level)
    async with transaction():
        deleted = (
            await DelegationRule.delete()
            .where(DelegationRule.key == key)
            .returning(DelegationRule.id)
        )
        if deleted:
            await _audit(
                principal,
                "rule_cleared",
                unit,
                reason,
                item_code=item_code,
                detail={"level": level},
            )
    return bool(deleted)


async def switch_plugin(
    principal: Principal, *, plugin: str, unit_code: str, enabled: bool, reason: str = ""
) -> bool:
    """Turn ``plugin`` off (or back on) for the subtree of ``unit_code``. Returns whether
    anything changed."""
    if plugin not in set(get_catalog().item_plugin.values()):
        raise UnknownPlugin()
    unit = await admin_unit(principal, unit_code)
    key = f"{plugin}|{unit['code']}"
    async with transaction():
        present = await PluginSwitch.exists().where(PluginSwitch.key == key)
        if enabled and present:
            await PluginSwitch.delete().where(PluginSwitch.key == key)
        elif not enabled and not present:
            await PluginSwitch.insert(
                PluginSwitch(
                    key=key,
                    plugin=plugin,
                    unit_code=unit["code"],
                    unit_path=unit["path"],
                    updated_by=principal.staff_id,
                    updated_at=datetime.now(UTC),
                )
            )
        else:
            return False
        await _audit(
            principal, "plugin_enabled" if enabled else "plugin_disabled", unit, reason,
            plugin=plugin,
        )  # fmt: skip
    return True


async def rules_for_item(item_code: str) -> list[dict]:
    rows = await DelegationRule.select().where(DelegationRule.item_code == item_code)
    return await _with_unit_names(sorted(rows, key=lambda r: (r["unit_path"], r["level"])))


async def plugin_switches() -> list[dict]:
    rows = await PluginSwitch.select().order_by(PluginSwitch.plugin)
    return await _with_unit_names(rows)


async def history(*, item_code: str | None = None, limit: int = 50) -> list[dict]:
    query = (
        CatalogAdminEvent.select()
        .order_by(CatalogAdminEvent.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    if item_code:
        query = query.where(CatalogAdminEvent.item_code == item_code)
    return await _with_unit_names(await query)


async def _with_unit_names(rows: list[dict]) -> list[dict]:
    codes = {r["unit_code"] for r in rows}
    names = {}
    if codes:
        for u in await Unit.select(Unit.code, Unit.name, Unit.name_en).where(
            Unit.code.is_in(list(codes))
        ):
            names[u["code"]] = u
    return [
        {**r, "unit": names.get(r["unit_code"], {"name": r["unit_code"], "name_en": ""})}
        for r in rows
    ]
