"""Creating a case row: tracking code, routing of the acceptance step, first event and task.

Used by a single filing (:func:`core.cases.services.submit`) and by a bundle
(:mod:`core.cases.bundles`), always inside the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import msgspec

from core.cases import flow, routing, tracking
from core.cases.flow import Ctx
from core.cases.states import State, target
from core.cases.tables import Case, TrackingSequence
from core.catalog.items import Item
from core.catalog.uploads import tokens_in
from core.catalog.versions import item_version_id
from core.materials import services as materials
from core.residents import crypto
from core.residents.services import register_or_get
from core.settings import site_today
from core.tenancy.scope import Principal


def division_of(unit_code: str) -> str:
    """The 6-digit county-level division prefix of a unit code."""
    digits = "".join(ch for ch in unit_code if ch.isdigit())
    return (digits + "000000")[:6]


def local_today(now: datetime) -> date:
    return site_today(now)


async def next_tracking_code(division: str, today: date) -> str:
    """The next code of the day for a division: one atomic upsert, no collisions."""
    prefix = f"{division}{today:%y%m%d}"
    rows = await TrackingSequence.raw(
        "INSERT INTO cases_tracking_sequence (prefix, last) VALUES ({}, 1) "
        "ON CONFLICT (prefix) DO UPDATE SET last = cases_tracking_sequence.last + 1 "
        "RETURNING last",
        prefix,
    )
    return tracking.make_tracking_code(division, today, rows[0]["last"])


async def resident_for(person: dict) -> int:
    """Register the applicant (or find them); a concurrent first registration is fine."""
    try:
        return await register_or_get(person["name"], person["id_number"], person["phone"])
    except Exception:
        # Someone registered the same person a moment ago: the unique hash won.
        return await register_or_get(person["name"], person["id_number"], person["phone"])


async def create_case(
    principal: Principal,
    *,
    unit: dict,
    item: Item,
    values: dict,
    resident_id: int,
    proxy: bool,
    now: datetime,
    idempotency_key: str | None = None,
    bundle_id: int | None = None,
    payload: dict | None = None,
    uploads: Iterable[str] = (),
) -> dict:
    """Insert the case, its ``submit`` event and its acceptance task. Returns ``{id, tracking_code}``.

    The filer's uploads go with the case: those the form's file fields name
    (their ids are in ``values``) and ``uploads`` (material slots), whatever
    page or API filed it. Runs inside the caller's transaction.
    """
    first = item.workflow.steps[0]
    version_id = await item_version_id(item)
    accepting = await routing.route_step(item, first, unit, None)
    code = await next_tracking_code(division_of(accepting["code"]), local_today(now))
    row = (
        await Case.insert(
            Case(
                tracking_code=code,
                item_code=item.code,
                item_version=version_id,
                state=State.DRAFT,
                resident=resident_id,
                data_enc=crypto.encrypt(msgspec.json.encode(values).decode()),
                channel="proxy" if proxy else "window",
                filed_unit=unit["id"],
                filed_by=principal.staff_id,
                accepting_unit=accepting["id"],
                scope_path=unit["path"],
                current_step=first.id,
                idempotency_key=idempotency_key,
                bundle=bundle_id,
                created_at=now,
                updated_at=now,
                submitted_at=now,
            )
        ).returning(Case.id)
    )[0]
    case = {
        "id": row["id"],
        "event_count": 0,
        "last_event_hash": "",
        "state": State.DRAFT,
        "filed_unit": unit["id"],
        "accepting_unit": accepting["id"],
        "tracking_code": code,
        "scope_path": unit["path"],
    }
    ctx = Ctx(principal=principal, case=case, item=item, now=now, _filing_unit=unit)
    await flow.record(
        ctx,
        "submit",
        to_state=target(State.DRAFT, "submit"),
        unit_id=unit["id"],
        payload={"item_version": version_id, "tracking_code": code, **(payload or {})},
    )
    await flow.create_tasks(ctx, [flow.TaskPlan(first, accepting)])
    await materials.attach(principal, case["id"], [*tokens_in(values), *uploads], round=0)
    return {"id": case["id"], "tracking_code": code}
