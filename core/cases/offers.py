"""What a person may do to a case right now — the buttons and choices a page offers.

Computed from the same rules :func:`core.cases.handling.act` enforces (the
state machine, task holding, the step's ``allow``, supervision), so a page
never offers what would be refused; the service checks again anyway.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core.cases import access
from core.cases.errors import ActionNotAllowed
from core.cases.holding import DELIVERY_METHODS, step_actions
from core.cases.labels import DELIVERY_LABELS, PROCEDURE_LABELS
from core.cases.states import REASON_REQUIRED, TASK_STATES, target
from core.cases.tables import Task
from core.catalog.items import Item
from core.catalog.workflow import Step
from core.tenancy.scope import Principal
from core.tenancy.tables import Unit


@dataclass(frozen=True)
class Offer:
    action: str
    task_id: int | None = None
    step: Step | None = None
    field: str = ""  # the choice it needs: to_step, to_unit, to_staff, method, procedure, materials
    choices: list[tuple[str, str, str]] = dataclasses.field(
        default_factory=list
    )  # value, label, label_en
    needs_reason: bool = False


def _legal(state: str, action: str) -> bool:
    try:
        target(state, action)
    except ActionNotAllowed:
        return False
    return True


async def offers_for(principal: Principal, case: dict, item: Item) -> list[Offer]:
    if principal.read_only:
        return []
    state = case["state"]
    workflow = item.workflow
    tasks = await Task.select().where((Task.case == case["id"]) & (Task.state == "open"))
    offers: list[Offer] = []
    for task in tasks:
        step = workflow.step(task["step_id"])
        held = access.holds(principal, task)
        if held:
            offers += _step_offers(state, task, step, item)
            offers += await _allowed_offers(state, task, step, workflow)
        offers += await _pool_offers(principal, state, task, step)
        unit = await access.unit_row(task["unit"])
        if state in TASK_STATES and access.supervises(principal, unit["path"]):
            members = await access.members_of(task["unit"], task["role"])
            offers.append(
                Offer(
                    "reassign",
                    task["id"],
                    step,
                    "to_staff",
                    [(str(m["id"]), m["name"], m["name"]) for m in members],
                    True,
                )
            )
    offers += await _case_offers(principal, case, item, tasks)
    return _dedupe(offers)


def _step_offers(state: str, task: dict, step: Step, item: Item) -> list[Offer]:
    offers = []
    for action in step_actions(step, item):
        if not _legal(state, action):
            continue
        if action == "request_supplement":
            choices = [(m.code, m.name, m.name_en) for m in item.materials]
            offers.append(Offer(action, task["id"], step, "materials", choices))
        elif action == "suspend":
            choices = [
                (p, PROCEDURE_LABELS.get(p, p), PROCEDURE_LABELS.get(p, p))
                for p in item.excluded_procedures
            ]
            offers.append(Offer(action, task["id"], step, "procedure", choices, True))
        elif action == "deliver":
            offers.append(Offer(action, task["id"], step, "method", _methods(item)))
        else:
            offers.append(Offer(action, task["id"], step, needs_reason=action in REASON_REQUIRED))
    return offers


async def _allowed_offers(state: str, task: dict, step: Step, workflow) -> list[Offer]:
    offers = []
    if state not in TASK_STATES:
        return offers
    if "delegate" in step.allow:
        members = [m for m in await access.members_of(task["unit"]) if m["id"] != task["assignee"]]
        offers.append(
            Offer(
                "delegate",
                task["id"],
                step,
                "to_staff",
                [(str(m["id"]), m["name"], m["name"]) for m in members],
            )
        )
    if "transfer" in step.allow:
        kinds = list(step.transfer_kinds or (step.unit_kind,))
        units = await (
            Unit.select(Unit.code, Unit.name, Unit.name_en)
            .where(Unit.kind.is_in(kinds) & (Unit.active == True) & (Unit.id != task["unit"]))  # noqa: E712
            .order_by(Unit.path)
            .limit(200)
        )
        offers.append(
            Offer(
                "transfer",
                task["id"],
                step,
                "to_unit",
                [(u["code"], u["name"], u["name_en"] or u["name"]) for u in units],
                True,
            )
        )
    if "return" in step.allow and _legal(state, "return"):
        offers.append(
            Offer(
                "return",
                task["id"],
                step,
                "to_step",
                [(s.id, s.name, s.name_en or s.name) for s in workflow.return_targets(step.id)],
                True,
            )
        )
    if step.countersign and "add_signer" in step.allow:
        members = await access.members_of(task["unit"])
        offers.append(
            Offer(
                "add_signer",
                task["id"],
                step,
                "to_staff",
                [(str(m["id"]), m["name"], m["name"]) for m in members],
            )
        )
    if step.countersign and "remove_signer" in step.allow:
        pending = await Task.select(Task.assignee, Task.assignee.display_name).where(
            (Task.case == task["case"])
            & (Task.batch == task["batch"])
            & (Task.step_id == step.id)
            & (Task.state == "open")
            & Task.assignee.is_not_null()
        )
        if len(pending) > 1:
            offers.append(
                Offer(
                    "remove_signer",
                    task["id"],
                    step,
                    "to_staff",
                    [
                        (str(p["assignee"]), p["assignee.display_name"], p["assignee.display_name"])
                        for p in pending
                    ],
                    True,
                )
            )
    return offers


async def _pool_offers(principal: Principal, state: str, task: dict, step: Step) -> list[Offer]:
    if state not in TASK_STATES:
        return []
    me = principal.staff_id
    if task["assignee"] is None and any(
        m.unit_id == task["unit"] and m.role == task["role"] for m in principal.writable_memberships
    ):
        return [Offer("claim", task["id"], step)]
    if not task["signer"] and me in (task["assignee"], task["responsible"]):
        return [Offer("release", task["id"], step)]
    return []


async def _case_offers(principal: Principal, case: dict, item: Item, tasks: list) -> list[Offer]:
    offers = []
    state = case["state"]
    speaks = access.speaks_for_applicant(principal, case)
    holds_any = any(access.holds(principal, t) for t in tasks)
    if _legal(state, "supply") and (speaks or holds_any):
        offers.append(Offer("supply", field="materials"))
    if speaks and _legal(state, "withdraw"):
        offers.append(Offer("withdraw", needs_reason=True))
    if speaks and _legal(state, "close"):
        offers.append(Offer("close"))
    if _legal(state, "resume") and holds_any:
        offers.append(Offer("resume"))
    has_deliver_step = any(s.kind == "deliver" for s in item.workflow.steps)
    if speaks and not has_deliver_step and _legal(state, "deliver"):
        offers.append(Offer("deliver", field="method", choices=_methods(item)))
    return offers


def _methods(item: Item) -> list[tuple[str, str, str]]:
    return [
        (m, DELIVERY_LABELS[m], DELIVERY_LABELS[m])
        for m in DELIVERY_METHODS
        if m != "post" or item.postal_delivery
    ]


def _dedupe(offers: list[Offer]) -> list[Offer]:
    seen, result = set(), []
    for offer in offers:
        key = (offer.action, offer.task_id)
        if key not in seen:
            seen.add(key)
            result.append(offer)
    return result
