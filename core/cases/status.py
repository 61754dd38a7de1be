"""The public status of a case, by tracking code plus a second factor.

Shows steps, dates and what the applicant must do next — and nothing
personal. A wrong second factor and an unknown code answer alike, so the
page is no oracle for which codes exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.cases import tracking
from core.cases.queries import timeline
from core.cases.tables import Case
from core.catalog.versions import item_for_version
from core.errors import InvalidTrackingCodeError, NotFound
from core.i18n import N_
from core.residents.services import second_factor_matches

NEXT_STEP = {
    "submitted": N_("Nothing to do: the window will check your application."),
    "supplement_requested": N_(
        "Please hand the missing materials listed below to your agent or the window."
    ),
    "accepted": N_("Nothing to do: your case is being handled."),
    "in_review": N_("Nothing to do: your case is being reviewed."),
    "suspended": N_("Nothing to do: a procedure outside the time limit is under way."),
    "approved": N_("Approved. The result is being issued."),
    "issued": N_(
        "Your result is ready. Collect it from your agent or the window, or receive it electronically."
    ),
    "delivered": N_("Done. Please rate the service."),
    "denied": N_("Your application was not approved; the reason is given below."),
    "refused": N_("Your application was not accepted; the reason is given below."),
    "closed": N_("This case is closed."),
    "withdrawn": N_("This application was withdrawn."),
}


class StatusNotFound(NotFound):
    message = N_("No case matches this tracking code and these digits. Please check both.")


@dataclass(frozen=True)
class PublicStatus:
    tracking_code: str
    item_name: str
    item_name_en: str
    state: str
    outcome: str
    light: str
    due_on: object
    next_step: str
    steps: list[dict]
    reason: str


async def public_status(code_input: str, last4: str) -> PublicStatus:
    try:
        code = tracking.normalise(code_input)
        tracking.parse(code)
    except tracking.InvalidTrackingCode as exc:
        raise InvalidTrackingCodeError(reason=exc.reason) from exc
    case = (
        await Case.select(
            Case.id,
            Case.tracking_code,
            Case.state,
            Case.outcome,
            Case.light,
            Case.due_on,
            Case.item_version,
            Case.resident,
        )
        .where(Case.tracking_code == code)
        .first()
    )
    if (
        case is None
        or not case["resident"]
        or not await second_factor_matches(case["resident"], last4)
    ):
        raise StatusNotFound()
    item = await item_for_version(case["item_version"])
    events = await timeline(case["id"])
    reason = next(
        (
            e["reason"]
            for e in reversed(events)
            if e["kind"] in ("refuse", "deny", "request_supplement")
        ),
        "",
    )
    steps = [
        {
            "kind": e["kind"],
            "state": e["to_state"],
            "at": e["at"],
            "unit": e["unit.name"],
            "unit_en": e["unit.name_en"],
        }
        for e in events
    ]
    return PublicStatus(
        tracking_code=case["tracking_code"],
        item_name=item.name,
        item_name_en=item.name_en,
        state=case["state"],
        outcome=case["outcome"],
        light=case["light"],
        due_on=case["due_on"],
        next_step=NEXT_STEP.get(case["state"], ""),
        steps=steps,
        reason=reason if case["state"] in ("refused", "denied", "supplement_requested") else "",
    )
