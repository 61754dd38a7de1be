"""Helpers for the tenancy tests: principals by username, bare cases in chosen units,
and throw-away subtrees so that tests never rearrange the demo site others rely on."""

from __future__ import annotations

import itertools
import uuid

from core.cases.events import append_event
from core.cases.tables import Case, CaseEvent, Task
from core.catalog.tables import ItemVersion
from core.db import transaction
from core.residents.tables import Resident
from core.tenancy.auth import load_principal
from core.tenancy.scope import Principal
from core.tenancy.tables import Staff, Unit
from core.tenancy.treegen import to_csv
from core.tenancy.units_import import import_units

_serial = itertools.count(1)
# Bare rows to remove when a module ends, so that no other test sees them in a queue.
CREATED: list[tuple[object, int]] = []

QIJIANG = "509910000000"
NANCHUAN = "509920000000"
GANSHUI = "509910101000"
SHIJIAO = "509910102000"
DAGUAN = "509920101000"


async def principal(username: str) -> Principal:
    staff = await Staff.select(Staff.id).where(Staff.username == username).first()
    assert staff, f"no staff {username}"
    loaded = await load_principal(staff["id"])
    assert loaded is not None
    return loaded


async def unit(code: str) -> dict:
    row = await Unit.select().where(Unit.code == code).first()
    assert row, f"no unit {code}"
    return row


async def bare_case(
    filed_at: str, *, tasks_at: tuple[str, ...] = (), resident: int | None = None
) -> int:
    """A case row filed at ``filed_at`` with open tasks at ``tasks_at`` — no workflow, just
    what scoping looks at (the filing unit, the routed units)."""
    version = await ItemVersion.select(ItemVersion.id).first()
    assert version, "no item version: the catalogue has not been synced"
    filed = await unit(filed_at)
    row = (
        await Case.insert(
            Case(
                item_code="test",
                item_version=version["id"],
                state="submitted",
                filed_unit=filed["id"],
                scope_path=filed["path"],
                resident=resident,
            )
        ).returning(Case.id)
    )[0]
    for code in tasks_at:
        await Task.insert(
            Task(
                case=row["id"], step_id="accept", unit=(await unit(code))["id"], role="window_clerk"
            )
        )
    # A real, hash-chained submit event: the audit and backup checks walk every chain.
    case = {"id": row["id"], "event_count": 0, "last_event_hash": "", "state": "draft"}
    async with transaction():
        await append_event(
            case,
            kind="submit",
            from_state="draft",
            to_state="submitted",
            actor_id=None,
            actor_name="test",
            unit_id=filed["id"],
        )
    CREATED.append((Case, row["id"]))
    return row["id"]


async def remove_created() -> None:
    """Delete the bare cases (their tasks and events go with them) and residents, newest first."""
    while CREATED:
        table, row_id = CREATED.pop()
        if table is Case:
            await Task.delete().where(Task.case == row_id)
            await CaseEvent.delete().where(CaseEvent.case == row_id)
        await table.delete().where(table.id == row_id)


async def bare_resident() -> int:
    n = next(_serial)
    row = (
        await Resident.insert(
            Resident(name=f"测试居民{n}", id_number_hash=f"test-{uuid.uuid4().hex}")
        ).returning(Resident.id)
    )[0]
    CREATED.append((Resident, row["id"]))
    return row["id"]


async def scratch_township(parent: str = QIJIANG, villages: int = 2) -> dict[str, str]:
    """A new township with a service centre and villages under ``parent``; returns their codes."""
    n = 500 + next(_serial)
    town = f"{parent[:6]}{n:03d}000"
    rows = [
        {
            "code": town,
            "name": f"试验{n}镇",
            "name_en": f"Test Town {n}",
            "kind": "township",
            "level": "township",
            "parent_code": parent,
        },
        {
            "code": f"{town}-BM",
            "name": f"试验{n}镇便民服务中心",
            "name_en": "",
            "kind": "service_centre",
            "level": "township",
            "parent_code": town,
        },
    ]
    for v in range(villages):
        rows.append(
            {
                "code": f"{town[:9]}{201 + v}",
                "name": f"试验{n}镇{v + 1}村",
                "name_en": "",
                "kind": "village",
                "level": "village",
                "parent_code": town,
            }
        )
    report = await import_units(to_csv(rows))
    assert report.ok, [e.text() for e in report.errors]
    return {
        "township": town,
        "centre": f"{town}-BM",
        **{f"village{v + 1}": f"{town[:9]}{201 + v}" for v in range(villages)},
    }
