"""Filing and handling cases. Plain async functions; no web code.

Every change happens in one transaction: the case row, its event (hash
chained), its tasks and the outbox message announcing it commit together or
not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from core.cases import routing, tracking
from core.cases.applicant import APPLICANT_FORM
from core.cases.events import append_event
from core.cases.states import REASON_REQUIRED, State, target
from core.cases.tables import Case, Task, TrackingSequence
from core.catalog import delegation
from core.catalog.form_context import form_context
from core.catalog.forms import FieldError, validate
from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.catalog.versions import item_version_id
from core.db import transaction
from core.errors import (
    CaseNotFound,
    ItemNotAvailable,
    PermissionDenied,
    ReasonRequired,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.jobs import outbox
from core.plugins import get_plugin_manager
from core.residents import crypto
from core.residents.services import register_or_get
from core.settings import get_settings
from core.tenancy.scope import Principal, case_visibility
from core.tenancy.tables import Unit

FILING_ROLES = ("village_agent", "window_clerk")

# Which actions each kind of step offers to the person holding its task.
STEP_ACTIONS = {
    "accept": ("accept", "refuse", "request_supplement"),
    "review": ("pass", "deny"),
    "decide": ("approve", "deny"),
    "issue": ("issue",),
    "deliver": ("deliver",),
}


@dataclass(frozen=True)
class SubmissionContext:
    """What a plugin's validation hook may know about a submission."""

    item_code: str
    filing_unit_code: str
    filing_unit_level: str
    channel: str


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


async def _filing_unit(principal: Principal, unit_id: int) -> dict:
    if not any(m.unit_id == unit_id for m in principal.memberships_with(*FILING_ROLES)):
        raise PermissionDenied()
    unit = (
        await Unit.select(Unit.id, Unit.code, Unit.name, Unit.path, Unit.level, Unit.active)
        .where(Unit.id == unit_id)
        .first()
    )
    if not unit or not unit["active"]:
        raise PermissionDenied()
    return unit


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
        )
        for result in get_plugin_manager().hook.tongban_validate_submission(
            item=item, values=what.values, context=context
        ):
            errors.extend(result or [])
    if errors:
        raise ValidationFailed(errors)
    return who.values, what.values


# -- end of the catalogue's part ------------------------------------------------------


async def _next_tracking_code(division: str) -> str:
    today = _today()
    prefix = f"{division}{today:%y%m%d}"
    rows = await TrackingSequence.raw(
        "INSERT INTO cases_tracking_sequence (prefix, last) VALUES ({}, 1) "
        "ON CONFLICT (prefix) DO UPDATE SET last = cases_tracking_sequence.last + 1 "
        "RETURNING last",
        prefix,
    )
    return tracking.make_tracking_code(division, today, rows[0]["last"])


def division_of(unit_code: str) -> str:
    """The 6-digit county-level division prefix of a unit code."""
    digits = "".join(ch for ch in unit_code if ch.isdigit())
    return (digits + "000000")[:6]


async def submit(
    principal: Principal,
    *,
    unit_id: int,
    item_code: str,
    applicant: dict,
    data: dict,
    idempotency_key: str | None = None,
) -> dict:
    """File a case at ``unit_id`` for a resident. Returns ``{id, tracking_code}``.

    Resubmitting with the same idempotency key returns the first case.
    """
    if idempotency_key:
        existing = (
            await Case.select(Case.id, Case.tracking_code, Case.filed_by)
            .where(Case.idempotency_key == idempotency_key)
            .first()
        )
        if existing and existing["filed_by"] == principal.staff_id:
            return {"id": existing["id"], "tracking_code": existing["tracking_code"]}
    unit = await _filing_unit(principal, unit_id)
    item = get_catalog().items.get(item_code)
    if item is None:
        raise ItemNotAvailable(unit=unit["name"], reason="no such item")
    proxy = any(m.unit_id == unit_id for m in principal.memberships_with("village_agent"))
    await check_item_available(item, unit, proxy=proxy)
    person, values = await validate_submission(
        item, unit, applicant, data, staff_id=principal.staff_id
    )
    first = item.workflow.steps[0]
    accepting = await routing.resolve_step(first, unit["path"])
    version_id = await item_version_id(item)
    now = datetime.now(UTC)
    try:
        async with transaction():
            resident_id = await register_or_get(
                person["name"], person["id_number"], person["phone"]
            )
            code = await _next_tracking_code(division_of(accepting["code"]))
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
                        created_at=now,
                        submitted_at=now,
                    )
                ).returning(Case.id)
            )[0]
            case = {"id": row["id"], "event_count": 0, "last_event_hash": "", "state": State.DRAFT}
            await append_event(
                case,
                kind="submit",
                from_state=State.DRAFT,
                to_state=target(State.DRAFT, "submit"),
                actor_id=principal.staff_id,
                actor_name=principal.display_name,
                unit_id=unit["id"],
                payload={"item_version": version_id, "tracking_code": code},
            )
            await Task.insert(
                Task(case=case["id"], step_id=first.id, unit=accepting["id"], role=first.role)
            )
            await outbox.enqueue("case_event", case_id=case["id"], seq=case["event_count"])
    except Exception:
        # A concurrent resubmission with the same key won the unique index.
        if idempotency_key:
            existing = (
                await Case.select(Case.id, Case.tracking_code)
                .where(Case.idempotency_key == idempotency_key)
                .first()
            )
            if existing:
                return {"id": existing["id"], "tracking_code": existing["tracking_code"]}
        raise
    return {"id": case["id"], "tracking_code": code}


async def visible_case(principal: Principal, case_id: int) -> dict:
    """The case if the principal may see it; otherwise CaseNotFound, exactly as if absent."""
    where = case_visibility(principal, Case, Task)
    if where is None:
        raise CaseNotFound()
    row = await Case.select().where((Case.id == case_id) & where).first()
    if row is None:
        raise CaseNotFound()
    return row


async def open_tasks_for(principal: Principal, case_id: int) -> list[dict]:
    """Open tasks of this case that the principal may act on (unit + role)."""
    pairs = {(m.unit_id, m.role) for m in principal.memberships}
    rows = await Task.select().where((Task.case == case_id) & (Task.state == "open"))
    return [t for t in rows if (t["unit"], t["role"]) in pairs]


async def act(
    principal: Principal, case_id: int, action: str, *, reason: str = "", opinion: str = ""
) -> dict:
    """Take ``action`` on the case's current task. Returns the updated case row."""
    if "auditor" in principal.roles and len(principal.roles) == 1:
        raise PermissionDenied()
    case = await visible_case(principal, case_id)
    item = await _item_for_case(case)
    tasks = await open_tasks_for(principal, case_id)
    step = next((item.workflow.step(t["step_id"]) for t in tasks), None)
    if step is None or action not in STEP_ACTIONS.get(step.kind, ()):
        raise TransitionNotAllowed(state=case["state"], action=action)
    task = next(t for t in tasks if t["step_id"] == step.id)
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise ReasonRequired()
    async with transaction():
        await _perform(principal, case, item, step, task, action, reason, opinion)
    return await Case.select().where(Case.id == case_id).first()


async def _perform(principal, case, item, step, task, action, reason, opinion) -> None:
    now = datetime.now(UTC)
    await Task.update(
        {
            Task.state: "done",
            Task.outcome: action,
            Task.opinion: opinion or reason,
            Task.completed_at: now,
            Task.completed_by: principal.staff_id,
        }
    ).where(Task.id == task["id"])
    # "pass" completes a review step without changing the case's state.
    to_state = case["state"] if action == "pass" else target(case["state"], action)
    updates = {
        "accept": {"accepted_at": now},
        "approve": {"decided_at": now, "outcome": "approved"},
        "deny": {"decided_at": now, "outcome": "denied"},
    }.get(action)
    await append_event(
        case,
        kind="review_passed" if action == "pass" else action,
        from_state=case["state"],
        to_state=to_state,
        actor_id=principal.staff_id,
        actor_name=principal.display_name,
        unit_id=task["unit"],
        reason=reason,
        payload={"step": step.id, **({"opinion": opinion} if opinion else {})},
        case_updates=updates,
    )
    if action in ("accept", "pass", "approve", "issue", "deliver"):
        await _advance(principal, case, item, step, task)
    await outbox.enqueue("case_event", case_id=case["id"], seq=case["event_count"])


async def _advance(principal, case, item, step, task) -> None:
    """Open the task for the next workflow step, or finish the case's automatic moves."""
    following = item.workflow.next_step(step.id)
    if following is None:
        if case["state"] == State.APPROVED:
            # No issue step: the result is electronic and issued by the system at once.
            await append_event(
                case,
                kind="issue",
                from_state=State.APPROVED,
                to_state=target(State.APPROVED, "issue"),
                actor_id=None,
                actor_name="system",
                unit_id=task["unit"],
                payload={"step": step.id, "automatic": True},
            )
        return
    unit = await routing.resolve_step(following, case["scope_path"])
    await Task.insert(
        Task(case=case["id"], step_id=following.id, unit=unit["id"], role=following.role)
    )
    updates = {"current_step": following.id}
    if case["state"] == State.ACCEPTED:
        await append_event(
            case,
            kind="route",
            from_state=State.ACCEPTED,
            to_state=target(State.ACCEPTED, "start_review"),
            actor_id=None,
            actor_name="system",
            unit_id=unit["id"],
            payload={"step": following.id, "unit_code": unit["code"]},
            case_updates=updates,
        )
    else:
        await Case.update({Case.current_step: following.id}).where(Case.id == case["id"])


async def _item_for_case(case: dict) -> Item:
    from core.catalog.versions import item_for_version

    return await item_for_version(case["item_version"])


async def case_detail(case: dict) -> dict[str, Any]:
    """Decrypted form values and the item version of a case the caller may see."""
    item = await _item_for_case(case)
    values = msgspec.json.decode(crypto.decrypt(case["data_enc"])) if case["data_enc"] else {}
    return {"item": item, "values": values}
