"""The public status of a case or a bundle, by tracking code plus a second factor.

Shows steps, dates, the time-limit light and what the applicant must do
next — and nothing personal: no name, no number, no staff member's name.
A wrong second factor and an unknown code answer alike, so the page is no
oracle for which codes exist. A bundle's code shows every case of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.cases import issuing, supplement, tracking
from core.cases.bundles import bundle as bundle_declaration
from core.cases.queries import timeline
from core.cases.tables import Bundle, Case
from core.catalog.versions import item_for_version
from core.errors import InvalidTrackingCodeError, NotFound
from core.i18n import N_
from core.residents.services import second_factor_matches

NEXT_STEP = {
    "submitted": N_("Nothing to do: the window will check your application."),
    "supplement_requested": N_(
        "Please hand the missing materials listed below to your agent or the window."
    ),
    "review_supplement": N_(
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
# An approved case whose result waits (``issue_held``), by what it waits for.
HELD_NEXT_STEP = {
    "payment": N_(
        "Approved. Please pay %(amount)s yuan with payment code %(payment_code)s at a bank counter, or through your agent; the result is issued as soon as the payment is recorded."
    ),
}
HELD_OTHER = N_("Approved. The result will be issued once the remaining formalities are done.")

# What the resident sees of the history; internal work (claims, delegation,
# countersignatures, lights, escalations) stays inside.
PUBLIC_EVENTS = frozenset(
    {
        "submit",
        "accept",
        "refuse",
        "request_supplement",
        "supply",
        "route",
        "forward",
        "review_passed",
        "approve",
        "deny",
        "issue_held",
        "issue",
        "deliver",
        "close",
        "withdraw",
        "lapse",  # core/payments: fees not paid by the deadline
        "suspend",
        "resume",
        "transfer",
    }
)
REASON_STATES = frozenset(
    {"refused", "denied", "supplement_requested", "review_supplement", "suspended"}
)
REASON_EVENTS = ("refuse", "deny", "request_supplement", "suspend")
SUPPLEMENT_STATES = frozenset({"supplement_requested", "review_supplement"})

BUNDLE_PROGRESS = {
    "action_needed": N_("Something is needed from you: see the case marked below."),
    "in_progress": N_("Nothing to do: your cases are being handled."),
    "completed": N_("All cases of this application are finished."),
}
FINISHED = frozenset({"issued", "delivered", "closed", "denied", "refused", "withdrawn"})


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
    due_on: date | None
    next_step: str
    steps: list[dict]
    reason: str
    materials: list[dict] = field(default_factory=list)
    bundle_code: str = ""
    next_step_params: dict = field(default_factory=dict)
    awaiting: str = ""  # what an approved case's result waits for: "payment", or nothing
    amount_due: str = ""
    payment_code: str = ""
    pay_by: str = ""  # the last day to pay (ISO date), when the result waits for the payment


@dataclass(frozen=True)
class BundleStatus:
    tracking_code: str
    name: str
    name_en: str
    progress: str  # action_needed | in_progress | completed
    next_step: str
    cases: list[PublicStatus]


def checked_code(code_input: str) -> str:
    """The canonical code of what a person typed, or :class:`InvalidTrackingCodeError`
    saying in words what is wrong with it (its ``reason`` the machine code)."""
    try:
        return tracking.parse(code_input).code
    except tracking.InvalidTrackingCode as exc:
        raise InvalidTrackingCodeError(exc.reason.message, reason=exc.reason.value) from exc


async def public_status(code_input: str, last4: str) -> PublicStatus | BundleStatus:
    """The case (or bundle) with this code, if ``last4`` matches its applicant."""
    code = checked_code(code_input)
    case = await Case.select().where(Case.tracking_code == code).first()
    if case is not None:
        if not case["resident"] or not await second_factor_matches(case["resident"], last4):
            raise StatusNotFound()
        return await case_status(case)
    row = await Bundle.select().where(Bundle.tracking_code == code).first()
    if (
        row is None
        or not row["resident"]
        or not await second_factor_matches(row["resident"], last4)
    ):
        raise StatusNotFound()
    return await bundle_status(row)


async def case_status(case: dict, bundle_code: str = "") -> PublicStatus:
    item = await item_for_version(case["item_version"])
    events = await timeline(case["id"])
    reason = next((e["reason"] for e in reversed(events) if e["kind"] in REASON_EVENTS), "")
    steps = [
        {
            "kind": e["kind"],
            "state": e["to_state"],
            "at": e["at"],
            "unit": e["unit.name"],
            "unit_en": e["unit.name_en"],
        }
        for e in events
        if e["kind"] in PUBLIC_EVENTS
    ]
    materials = (
        await supplement.outstanding(case["id"]) if case["state"] in SUPPLEMENT_STATES else []
    )
    if not bundle_code and case["bundle"]:
        row = await Bundle.select(Bundle.tracking_code).where(Bundle.id == case["bundle"]).first()
        bundle_code = row["tracking_code"] if row else ""
    next_step, params, hold = NEXT_STEP.get(case["state"], ""), {}, await issuing.held(case)
    if hold is not None:
        awaiting = str(hold.get("awaiting", ""))
        next_step = HELD_NEXT_STEP.get(awaiting, HELD_OTHER)
        if awaiting == "payment":
            params = {"amount": hold["amount"], "payment_code": hold["payment_code"]}
            params["pay_by"] = str(hold.get("pay_by", ""))
    return PublicStatus(
        tracking_code=case["tracking_code"],
        item_name=item.name,
        item_name_en=item.name_en,
        state=case["state"],
        outcome=case["outcome"],
        light=case["light"] if case["accepted_at"] else "",
        due_on=case["due_on"],
        next_step=next_step,
        next_step_params=params,
        awaiting=str(hold.get("awaiting", "")) if hold else "",
        amount_due=params.get("amount", ""),
        payment_code=params.get("payment_code", ""),
        pay_by=params.get("pay_by", ""),
        steps=steps,
        reason=reason if case["state"] in REASON_STATES else "",
        materials=[
            {
                "name": m["name"],
                "name_en": m.get("name_en", ""),
                "problem": m["problem"],
                "note": m["note"],
            }
            for m in materials
        ],
        bundle_code=bundle_code,
    )


async def bundle_status(row: dict) -> BundleStatus:
    cases = await Case.select().where(Case.bundle == row["id"]).order_by(Case.id)
    statuses = [await case_status(case, row["tracking_code"]) for case in cases]
    if any(s.state in SUPPLEMENT_STATES or s.awaiting for s in statuses):
        progress = "action_needed"
    elif all(s.state in FINISHED for s in statuses):
        progress = "completed"
    else:
        progress = "in_progress"
    declaration = bundle_declaration(row["bundle_code"])
    return BundleStatus(
        tracking_code=row["tracking_code"],
        name=declaration.name if declaration else row["bundle_code"],
        name_en=declaration.name_en if declaration else row["bundle_code"],
        progress=progress,
        next_step=BUNDLE_PROGRESS[progress],
        cases=statuses,
    )
