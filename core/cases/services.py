"""Filing cases and the case services the pages and the API call. No web code.

Every change happens in one transaction: the case row, its event (hash
chained), its tasks and the outbox message announcing it commit together or
not at all. Handling a filed case lives in :mod:`core.cases.handling`
(re-exported here as :func:`act`), who may do what in
:mod:`core.cases.access`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from core.cases import filing, timing
from core.cases.access import FILING_ROLES, open_tasks_for, visible_case
from core.cases.applicant import APPLICANT_FORM
from core.cases.handling import act
from core.cases.holding import STEP_ACTIONS, step_actions
from core.cases.tables import Case
from core.catalog import delegation
from core.catalog.form_context import form_context
from core.catalog.forms import FieldError, validate
from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.catalog.routability import check_routable
from core.catalog.versions import item_for_version
from core.db import transaction
from core.errors import ItemNotAvailable, PermissionDenied, ValidationFailed
from core.plugins import get_plugin_manager
from core.residents import crypto
from core.tenancy.scope import Principal, require_write

__all__ = [
    "FILING_ROLES",
    "STEP_ACTIONS",
    "SubmissionContext",
    "act",
    "available_items",
    "case_detail",
    "check_item_available",
    "filing_unit",
    "open_tasks_for",
    "step_actions",
    "submit",
    "validate_submission",
    "visible_case",
]


@dataclass(frozen=True)
class SubmissionContext:
    """What a plugin's validation hook may know about a submission."""

    item_code: str
    filing_unit_code: str
    filing_unit_level: str
    channel: str
    # The cleaned applicant section (name, id_number, phone): e.g. an age limit.
    applicant: dict[str, Any] = field(default_factory=dict)


def filing_unit(principal: Principal, unit_id: int) -> dict:
    """The unit the principal files at, if they are an agent or window clerk there.

    Taken from the principal's memberships, read with their units for this request
    (:func:`core.tenancy.auth.load_principal`; a deactivated unit grants nothing)."""
    require_write(principal)
    for m in principal.memberships_with(*FILING_ROLES):
        if m.unit_id == unit_id:
            return {"id": m.unit_id, "code": m.unit_code, "name": m.unit_name,
                    "path": m.unit_path, "level": m.level, "active": True}  # fmt: skip
    raise PermissionDenied()


# -- catalogue: delegation (事项下沉) and the validator's context; owned by core/catalog --
async def available_items(unit: dict, *, proxy: bool) -> list[Item]:
    """Items that may be filed at ``unit`` (``path``, ``level``), by an agent when ``proxy``."""
    return await delegation.available_items(unit, proxy=proxy)


async def check_item_available(item: Item, unit: dict, *, proxy: bool) -> None:
    decision = await delegation.may_file(item, unit, proxy=proxy)
    if not decision.allowed:
        raise ItemNotAvailable(decision.message, unit=unit["name"])


async def validate_submission(
    item: Item, unit: dict, applicant: dict, data: dict, *, staff_id: int | None = None
) -> tuple[dict, dict]:
    """Validate the applicant section and the item's form; raise ValidationFailed with all errors.

    ``staff_id``: whose uploads the form's file fields may name.
    """
    catalog = get_catalog()
    known = (await form_context(data, staff_id=staff_id)).kwargs()
    who = validate(APPLICANT_FORM, applicant, **known)
    what = validate(item.form, data, computed=catalog.computed, **known)
    errors = [
        FieldError(path=f"applicant.{e.path}", message=e.message, params=e.params)
        for e in who.errors
    ] + list(what.errors)
    if not errors:
        context = SubmissionContext(
            item_code=item.code,
            filing_unit_code=unit["code"],
            filing_unit_level=unit["level"],
            channel="proxy",
            applicant=dict(who.values),
        )
        for result in get_plugin_manager().hook.tongban_validate_submission(
            item=item, values=what.values, context=context
        ):
            errors.extend(result or [])
    if errors:
        raise ValidationFailed(errors)
    return who.values, what.values


# -- end of the catalogue's part ------------------------------------------------------


async def _existing(idempotency_key: str | None, staff_id: int | None = None) -> dict | None:
    if not idempotency_key:
        return None
    row = (
        await Case.select(Case.id, Case.tracking_code, Case.filed_by)
        .where(Case.idempotency_key == idempotency_key)
        .first()
    )
    if row is None or (staff_id is not None and row["filed_by"] != staff_id):
        return None
    return {"id": row["id"], "tracking_code": row["tracking_code"]}


async def submit(
    principal: Principal,
    *,
    unit_id: int,
    item_code: str,
    applicant: dict,
    data: dict,
    idempotency_key: str | None = None,
    authorisation_id: int | None = None,
    uploads: Iterable[str] = (),
) -> dict:
    """File a case at ``unit_id`` for a resident. Returns ``{id, tracking_code}``.

    The filer's uploads named by the form's file fields, and ``uploads`` (ids
    of material uploads), are attached to the case in the same transaction.

    Refused with the reason when the item may not be filed at the unit's
    level (or by an agent). Resubmitting with the same idempotency key —
    a double click, a retried request — returns the first case. An agent
    (proxy) filing needs the resident's recorded authorisation
    (``authorisation_id``, else the agent's newest fitting one).
    """
    existing = await _existing(idempotency_key, principal.staff_id)
    if existing:
        return existing
    unit = filing_unit(principal, unit_id)
    item = get_catalog().items.get(item_code)
    if item is None:
        raise ItemNotAvailable(unit=unit["name"], reason="no such item")
    proxy = any(m.unit_id == unit_id for m in principal.memberships_with("village_agent"))
    await check_item_available(item, unit, proxy=proxy)
    # A case no unit could take past one of its steps is refused now, nothing written.
    await check_routable(item, unit)
    person, values = await validate_submission(
        item, unit, applicant, data, staff_id=principal.staff_id
    )
    # -- proxy authorisation (代办授权); owned by core/signing (issue 6) ------------------
    from core.signing import authorisations

    consent = (
        await authorisations.consent_for(
            principal,
            unit_id=unit["id"],
            item_code=item.code,
            id_number=person["id_number"],
            authorisation_id=authorisation_id,
        )
        if proxy
        else {}
    )
    # -- end of the signing part ----------------------------------------------------------
    resident_id = await filing.resident_for(person)
    try:
        async with transaction():
            created = await filing.create_case(
                principal,
                unit=unit,
                item=item,
                values=values,
                resident_id=resident_id,
                proxy=proxy,
                now=timing.utcnow(),
                idempotency_key=idempotency_key,
                payload=consent,  # signing: the consent's id and hash go into the chain
                uploads=uploads,
            )
            if consent:  # signing: claimed in this transaction, so it binds one case only
                await authorisations.bind(consent, created["id"])
            return created
    except Exception:
        # A concurrent resubmission with the same key won the unique index.
        existing = await _existing(idempotency_key)
        if existing:
            return existing
        raise


async def case_detail(case: dict) -> dict[str, Any]:
    """Decrypted form values and the item version of a case the caller may see."""
    item = await item_for_version(case["item_version"])
    values = msgspec.json.decode(crypto.decrypt(case["data_enc"])) if case["data_enc"] else {}
    return {"item": item, "values": values}
