"""Display names for states, actions and event kinds (English msgids, translated at render)."""

from core.i18n import N_

STATE_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "supplement_requested": N_("Supplement requested"),
    "accepted": N_("Accepted"),
    "refused": N_("Not accepted"),
    "in_review": N_("In review"),
    "suspended": N_("Suspended"),
    "approved": N_("Approved"),
    "denied": N_("Denied"),
    "issued": N_("Result issued"),
    "delivered": N_("Delivered"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
}

ACTION_LABELS = {
    "accept": N_("Accept"),
    "refuse": N_("Refuse"),
    "request_supplement": N_("Request supplement"),
    "pass": N_("Pass review"),
    "approve": N_("Approve"),
    "deny": N_("Deny"),
    "issue": N_("Issue result"),
    "deliver": N_("Mark delivered"),
}

EVENT_LABELS = {
    "submit": N_("Filed"),
    "accept": N_("Accepted"),
    "refuse": N_("Not accepted"),
    "request_supplement": N_("Supplement requested"),
    "supply": N_("Supplement provided"),
    "route": N_("Sent for review"),
    "review_passed": N_("Review passed"),
    "approve": N_("Approved"),
    "deny": N_("Denied"),
    "issue": N_("Result issued"),
    "deliver": N_("Delivered"),
    "close": N_("Closed"),
    "withdraw": N_("Withdrawn"),
    "suspend": N_("Suspended"),
    "resume": N_("Resumed"),
}

LIGHT_LABELS = {"green": N_("On time"), "yellow": N_("Due soon"), "red": N_("Overdue"), "": ""}
