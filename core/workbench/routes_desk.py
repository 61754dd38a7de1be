"""Batch actions on the desk queue: one action on several cases at once.

A window clerk starting the day claims the morning's tasks in one go,
accepts a pile of simple applications already checked, or records that
the results in the tray were collected. Each case goes through the same
service as the single action (its own transaction, its own checks): one
refused case does not stop the others, and the page says which were done
and, for each refused one, why.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, post
from litestar.di import NamedDependency, Provide
from litestar.response import Template

from core.cases import services as cases
from core.cases.errors import error_text
from core.errors import TongbanError
from core.i18n import N_
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal
from core.web.locale import current_locale

# Actions that need no per-case input beyond an optional common reason.
BATCH_ACTIONS = {
    "claim": {},
    "release": {},
    "accept": {},
    "deliver": {"method": "window"},
}
MAX_BATCH = 100
NOTHING_CHOSEN = N_("Tick the cases to act on first.")
UNKNOWN_ACTION = N_("Choose an action for the ticked cases.")


@dataclass(frozen=True)
class Outcome:
    case_id: int
    tracking_code: str
    done: bool
    message: str = ""


class DeskBatchController(Controller):
    path = "/desk/batch"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @post("/", name="desk.batch")
    async def batch(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        form = await request.form()
        action = str(form.get("action") or "")[:32]
        ids = []
        for value in form.getall("case") if "case" in form else []:
            if isinstance(value, str) and value.isdigit() and int(value) not in ids:
                ids.append(int(value))
        locale = current_locale.get()
        problem = (
            UNKNOWN_ACTION if action not in BATCH_ACTIONS else NOTHING_CHOSEN if not ids else ""
        )
        outcomes: list[Outcome] = []
        if not problem:
            reason = str(form.get("reason") or "")[:2000]
            for case_id in ids[:MAX_BATCH]:
                outcomes.append(await _one(principal, case_id, action, reason, locale))
        return Template(
            "workbench/desk_batch.html",
            context={"action": action, "outcomes": outcomes, "problem": problem},
            status_code=422 if problem else 200,
        )


async def _one(principal: Principal, case_id: int, action: str, reason: str, locale: str):
    try:
        case = await cases.act(principal, case_id, action, reason=reason, **BATCH_ACTIONS[action])
    except TongbanError as exc:
        try:
            code = (await cases.visible_case(principal, case_id))["tracking_code"]
        except TongbanError:
            code = ""
        return Outcome(case_id, code or "", False, error_text(exc, locale))
    return Outcome(case_id, case["tracking_code"] or "", True)
