"""Small lookups shared by case and job tests."""

from __future__ import annotations

from core.tenancy.tables import Membership, Unit

DISTRICT_CENTRE = "509910000000-ZW"


async def supervisors_of_district() -> set[int]:
    """Staff holding the supervisor role at the district service centre (demo + test)."""
    unit = await Unit.select(Unit.id).where(Unit.code == DISTRICT_CENTRE).first()
    rows = await Membership.select(Membership.staff).where(
        (Membership.unit == unit["id"]) & (Membership.role == "unit_supervisor")
    )
    return {r["staff"] for r in rows}
