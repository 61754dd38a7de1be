"""Load a site's levels, unit tree and staff. Idempotent: a second load adds nothing."""

from __future__ import annotations

from dataclasses import dataclass

from core.catalog.registry import get_catalog
from core.settings import Settings
from core.tenancy.auth import hash_password
from core.tenancy.model import DEFAULT_LEVELS, Level
from core.tenancy.tables import LevelRow, Membership, Staff, Unit
from core.tenancy.units_import import import_units


@dataclass
class LoadReport:
    levels: int = 0
    units: int = 0
    staff: int = 0
    memberships: int = 0


class SiteLoadError(Exception):
    pass


async def load_site(settings: Settings) -> LoadReport:
    report = LoadReport()
    site = settings.site
    levels = [Level(**entry) for entry in site.get("levels", [])] or list(DEFAULT_LEVELS)
    have = {r["key"] for r in await LevelRow.select(LevelRow.key)}
    for level in levels:
        if level.key not in have:
            await LevelRow.insert(
                LevelRow(
                    key=level.key,
                    name=level.name,
                    name_en=level.name_en,
                    depth=level.depth,
                    unit_kinds=list(level.unit_kinds),
                )
            )
            report.levels += 1

    units_file = site.get("tree", {}).get("units")
    if units_file:
        text = (settings.site_dir / units_file).read_text(encoding="utf-8")
        result = await import_units(text, source=units_file)
        if not result.ok:
            lines = "\n".join(f"  line {e.line}: {e.text('en')}" for e in result.errors)
            raise SiteLoadError(f"{units_file} has errors:\n{lines}")
        report.units = result.created

    for entry in site.get("staff", []):
        staff = await Staff.objects().where(Staff.username == entry["username"]).first()
        if staff is None:
            staff = Staff(
                username=entry["username"],
                display_name=entry.get("display_name", entry["username"]),
                password_hash=hash_password(entry["password"]),
                must_change_password=not settings.demo,
            )
            await staff.save()
            report.staff += 1
        for m in entry.get("memberships", []):
            unit = await Unit.select(Unit.id, Unit.path).where(Unit.code == m["unit"]).first()
            if unit is None:
                raise SiteLoadError(f"staff {entry['username']}: unknown unit {m['unit']!r}")
            role = get_catalog().roles.get(m["role"])
            if role is None:
                raise SiteLoadError(f"staff {entry['username']}: unknown role {m['role']!r}")
            if role.root_only and unit["path"].count("/") != 2:
                raise SiteLoadError(
                    f"staff {entry['username']}: {m['role']} is held at the top unit only"
                )
            exists = await Membership.exists().where(
                (Membership.staff == staff.id)
                & (Membership.unit == unit["id"])
                & (Membership.role == m["role"])
            )
            if not exists:
                await Membership.insert(Membership(staff=staff.id, unit=unit["id"], role=m["role"]))
                report.memberships += 1
    return report
