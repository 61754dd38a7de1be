"""Put bare cases straight into a live server's database (run in a subprocess with its env).

Usage: ``python -m tests.browser.seed FILED_AT:TASK_AT:TRACKING_CODE …`` — prints
``TRACKING_CODE=case_id`` per case. A bare case is what scoping looks at: the
filing unit, an open window task at a unit, a tracking code.
"""

from __future__ import annotations

import asyncio
import sys


async def seed(specs: list[str]) -> None:
    from core.cases.tables import Case, Task
    from core.catalog.tables import ItemVersion
    from core.tenancy.tables import Unit

    version = await ItemVersion.select(ItemVersion.id).first()
    for spec in specs:
        filed_at, task_at, code = spec.split(":")
        filed = await Unit.select(Unit.id, Unit.path).where(Unit.code == filed_at).first()
        task_unit = await Unit.select(Unit.id).where(Unit.code == task_at).first()
        case = (
            await Case.insert(
                Case(
                    tracking_code=code,
                    item_code="000115002000",
                    item_version=version["id"],
                    state="submitted",
                    filed_unit=filed["id"],
                    scope_path=filed["path"],
                )
            ).returning(Case.id)
        )[0]
        await Task.insert(
            Task(case=case["id"], step_id="accept", unit=task_unit["id"], role="window_clerk")
        )
        print(f"{code}={case['id']}")


if __name__ == "__main__":
    asyncio.run(seed(sys.argv[1:]))
