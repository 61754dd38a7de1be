"""Electronic supervision (电子督办): the red cases of a subtree, and urging them on.

The list shows every overdue case filed in the unit's subtree that the
person may see, once its red light has been counted (seconds after the sweep) (scoped by :func:`core.tenancy.scope.case_visibility`), how
many working days it is late, and who holds it now. Urging (催办) is a case
event — ``urge``, in the case's hash-chained log like any other — and the
people holding the case's open tasks are notified when it has committed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from core.cases import access as case_access
from core.cases import notifications, timing
from core.cases.flow import Ctx, record
from core.cases.states import CLOCK_STATES
from core.cases.tables import Case, CaseEvent, Task
from core.cases.timing import case_clock, pauses_of, task_clock
from core.catalog.versions import item_for_version
from core.db import transaction
from core.deadlines.site_calendar import site_calendar
from core.errors import PermissionDenied, TongbanError
from core.i18n import N_, gettext
from core.reports import access
from core.reports.tables import ReportCursor
from core.settings import get_settings
from core.tenancy.scope import Principal, case_visibility, under

PER_PAGE = 50
URGE_LIMIT = 500  # characters of the message


class NotOverdue(TongbanError):
    status_code = 409
    message = N_("This case is not overdue (any more), so there is nothing to urge.")


class UrgeMessageRequired(TongbanError):
    status_code = 422
    message = N_("Please write what you ask the holder to do.")


@dataclass
class RedCase:
    id: int
    tracking_code: str
    item_code: str
    state: str
    due_on: date | None
    days_late: int
    filed_unit: str
    filed_unit_en: str
    holders: list[dict] = field(default_factory=list)
    urged: int = 0
    last_urged: datetime | None = None


def _where(principal: Principal, unit: dict):
    """Red cases of the subtree the person may see.

    The few red ones are found through the reports cursor's ``red`` index
    (kept up to date from the case events) rather than by reading every
    case of the subtree; the case's own light and state are checked again.
    """
    visible = case_visibility(principal, Case, Task)
    if visible is None:
        return None
    red = ReportCursor.select(ReportCursor.case).where(
        (ReportCursor.red == True) & under(ReportCursor.scope, unit["path"])  # noqa: E712
    )
    return (
        visible
        & Case.id.is_in(red)
        & ((Case.light == "red") | Case.id.is_in(_late_step_cases()))
        & Case.state.is_in(sorted(CLOCK_STATES))
    )


def _late_step_cases():
    """Cases with an open step past its own limit (a late parallel branch): overdue too
    (see :mod:`core.reports.contribution`), though the case's own clock may still run green."""
    return Task.select(Task.case).where((Task.state == "open") & (Task.light == "red"))


async def red_cases(
    principal: Principal, unit: dict, *, page: int = 1
) -> tuple[list[RedCase], int]:
    """One page of the subtree's overdue cases, the longest overdue first; and their total."""
    where = _where(principal, unit)
    if where is None:
        return [], 0
    total = await Case.count().where(where)
    rows = await (
        Case.select(
            Case.id,
            Case.tracking_code,
            Case.item_code,
            Case.state,
            Case.due_on,
            Case.light,
            Case.accepted_at,
            Case.limit_days,
            Case.filed_unit.name,
            Case.filed_unit.name_en,
        )
        .where(where)
        .order_by(Case.due_on)
        .order_by(Case.id)
        .limit(PER_PAGE)
        .offset(PER_PAGE * (max(page, 1) - 1))
    )
    ids = [r["id"] for r in rows]
    now = timing.utcnow()
    calendar = await site_calendar()
    pauses = await pauses_of(ids)
    holders = await holders_of(ids)
    urges = await _urges(ids)
    result = []
    for row in rows:
        due_on, late = row["due_on"], 0
        clock = case_clock(row, pauses.get(row["id"], []), calendar)
        if row["light"] == "red":  # the case itself is past its limit: its own lateness
            late = max(0, -clock.state(now).remaining_days) if clock else 0
        else:  # on the list for a late step (a parallel branch): the latest step's
            for holder in holders.get(row["id"], []):
                step = task_clock(holder, pauses.get(row["id"], []), calendar)
                if holder["late"] and step is not None:
                    step_late = max(0, -step.state(now).remaining_days)
                    if step_late >= late:
                        due_on, late = holder["due_on"], step_late
        count, last = urges.get(row["id"], (0, None))
        result.append(
            RedCase(
                id=row["id"],
                tracking_code=row["tracking_code"] or "",
                item_code=row["item_code"],
                state=row["state"],
                due_on=due_on,
                days_late=late,
                filed_unit=row["filed_unit.name"],
                filed_unit_en=row["filed_unit.name_en"] or "",
                holders=holders.get(row["id"], []),
                urged=count,
                last_urged=last,
            )
        )
    return result, total


async def holders_of(case_ids: list[int]) -> dict[int, list[dict]]:
    """Who holds each case's open tasks: the unit, and the person if one is assigned."""
    found: dict[int, list[dict]] = defaultdict(list)
    if not case_ids:
        return found
    rows = await Task.select(
        Task.id,
        Task.case,
        Task.unit,
        Task.role,
        Task.step_id,
        Task.light,
        Task.days,
        Task.due_on,
        Task.created_at,
        Task.unit.name,
        Task.unit.name_en,
        Task.assignee,
        Task.assignee.display_name,
    ).where(Task.case.is_in(case_ids) & (Task.state == "open"))
    for row in rows:
        found[row["case"]].append(
            {
                "task": row["id"],
                "unit": row["unit"],
                "role": row["role"],
                "step": row["step_id"],
                "unit_name": row["unit.name"],
                "unit_name_en": row["unit.name_en"] or "",
                "assignee": row["assignee"],
                "assignee_name": row["assignee.display_name"] or "",
                "late": row["light"] == "red",  # past the step's own limit
                "days": row["days"],
                "due_on": row["due_on"],
                "created_at": row["created_at"],
            }
        )
    return found


async def _urges(case_ids: list[int]) -> dict[int, tuple[int, datetime | None]]:
    if not case_ids:
        return {}
    rows = await CaseEvent.select(CaseEvent.case, CaseEvent.at).where(
        CaseEvent.case.is_in(case_ids) & (CaseEvent.kind == "urge")
    )
    result: dict[int, tuple[int, datetime | None]] = {}
    for row in rows:
        count, last = result.get(row["case"], (0, None))
        result[row["case"]] = (count + 1, max(filter(None, [last, row["at"]])))
    return result


def _supervising_unit(principal: Principal, path: str) -> int:
    """The membership unit the person supervises ``path`` from (recorded on the event)."""
    supervising = [
        m
        for m in principal.writable_memberships
        if path.startswith(m.anchor_path) and (m.admin or m.role == access.SUPERVISOR_ROLE)
    ]
    if not supervising:
        raise PermissionDenied()
    return max(supervising, key=lambda m: len(m.anchor_path)).unit_id


async def urge(principal: Principal, case_id: int, message: str) -> dict:
    """Record a 催办 on an overdue case; its holders are told once the event commits."""
    message = (message or "").strip()[:URGE_LIMIT]
    if not message:
        raise UrgeMessageRequired()
    case = await case_access.visible_case(principal, case_id, write=True)
    if not access.covers(principal, case["scope_path"], write=True):
        raise PermissionDenied()
    holders = (await holders_of([case_id])).get(case_id, [])
    late_step = any(h["late"] for h in holders)
    if not (case["light"] == "red" or late_step) or case["state"] not in CLOCK_STATES:
        raise NotOverdue()
    if case["light"] != "red":
        holders = [h for h in holders if h["late"]]  # urge the late branch, not the punctual
    unit_id = _supervising_unit(principal, case["scope_path"])
    item = await item_for_version(case["item_version"])
    ctx = Ctx(principal=principal, case=case, item=item, now=timing.utcnow())
    async with transaction():
        event = await record(
            ctx,
            "urge",
            unit_id=unit_id,
            reason=message,
            payload={
                "tasks": [h["task"] for h in holders],
                "units": sorted({h["unit"] for h in holders}),
            },
        )
    return event


# -- telling the holders (from the case event hook) -----------------------------------


async def notify_holders(case: dict, event: dict) -> int:
    """Write one notification per person holding an urged task; returns how many are new.

    Runs in the ``case_event`` actor's transaction, so the rows and their
    delivery messages commit with its ledger entry (at most once).
    """
    payload = event.get("payload") or {}
    if isinstance(payload, str):
        payload = json.loads(payload)
    task_ids = payload.get("tasks") or []
    if not task_ids:
        return 0
    tasks = await Task.select(Task.id, Task.unit, Task.role, Task.assignee).where(
        Task.id.is_in(task_ids)
    )
    people: set[int] = set()
    for task in tasks:
        if task["assignee"]:
            people.add(task["assignee"])
        else:
            people.update(p["id"] for p in await case_access.members_of(task["unit"], task["role"]))
    locale = get_settings().default_locale
    subject, body = _urge_text(case, event, locale)
    texts = notifications.in_every_locale(lambda lang: _urge_text(case, event, lang))
    recipients = [{"audience": "holder", "staff": staff_id} for staff_id in sorted(people)]
    return await notifications.write(case, event, recipients, subject, body, locale, texts=texts)


def _urge_text(case: dict, event: dict, locale: str) -> tuple[str, str]:
    """Subject and body of the message urging a holder, in ``locale``."""
    code = case["tracking_code"] or ""
    subject = gettext(locale, N_("Overdue case urged: %(code)s"), code=code)
    body = gettext(
        locale,
        N_("%(who)s urges you to finish case %(code)s, which is overdue: %(words)s"),
        who=event.get("actor_name") or "",
        code=code,
        words=event.get("reason") or "",
    )
    return subject, body
