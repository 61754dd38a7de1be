"""A fresh village agent with many filings, for the paged case list.

In-process (``await agent_with_filings(...)``) or, against a live server's
database, as a script run with its environment:
``python -m tests.ui.case_seed USERNAME PASSWORD STATE:LIGHT:COUNT …`` — prints one
line per case, ``id code state light``, oldest first.
"""

from __future__ import annotations

import asyncio
import sys
import uuid

VILLAGE = "509910101201"  # 麻柳村, where the demo agent works too
PENSION = "000115002000"


async def new_agent(username: str, password: str) -> int:
    """A village agent at 麻柳村 who has filed nothing yet; returns the staff id."""
    from core.tenancy.auth import hash_password
    from core.tenancy.tables import Membership, Staff, Unit

    village = await Unit.select(Unit.id).where(Unit.code == VILLAGE).first()
    staff = (
        await Staff.insert(
            Staff(username=username, display_name=username, password_hash=hash_password(password))
        ).returning(Staff.id)
    )[0]["id"]
    await Membership.insert(Membership(staff=staff, unit=village["id"], role="village_agent"))
    return staff


async def file_bare(
    staff: int, specs: list[tuple[str, str, int]], resident: int | None = None
) -> list[dict]:
    """Cases filed by ``staff`` at 麻柳村: ``count`` in ``state`` under ``light`` per spec,
    the specs interleaved (so each page mixes them). Returns ``{id, code, state, light}``
    oldest first."""
    from core.cases.tables import Case
    from core.catalog.registry import get_catalog
    from core.catalog.versions import item_version_id
    from core.tenancy.tables import Unit

    village = await Unit.select(Unit.id, Unit.path).where(Unit.code == VILLAGE).first()
    version = await item_version_id(get_catalog().items[PENSION])
    left = [[state, light, count] for state, light, count in specs]
    order: list[tuple[str, str]] = []
    while any(spec[2] for spec in left):
        for spec in left:
            if spec[2]:
                order.append((spec[0], spec[1]))
                spec[2] -= 1
    run = uuid.uuid4().int % 10**8
    filed = []
    for n, (state, light) in enumerate(order):
        code = f"7{run:08d}{n:09d}"
        row = await Case.insert(
            Case(
                tracking_code=code,
                item_code=PENSION,
                item_version=version,
                state=state,
                light=light,
                channel="proxy",
                filed_unit=village["id"],
                filed_by=staff,
                resident=resident,
                scope_path=village["path"],
            )
        ).returning(Case.id)
        filed.append({"id": row[0]["id"], "code": code, "state": state, "light": light})
    return filed


async def main(argv: list[str]) -> None:
    from core import db

    await db.start()
    try:
        username, password, *specs = argv
        staff = await new_agent(username, password)
        parsed = [(s, lt, int(n)) for s, lt, n in (spec.split(":") for spec in specs)]
        for case in await file_bare(staff, parsed):
            print(case["id"], case["code"], case["state"], case["light"] or "-")
    finally:
        await db.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
