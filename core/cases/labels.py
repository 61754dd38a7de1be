"""Display names for states, actions and event kinds (English msgids, translated at render)."""

from core.i18n import N_

STATE_LABELS = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "supplement_requested": N_("Supplement requested"),
    "accepted": N_("Accepted"),
    "refused": N_("Not accepted"),
    "in_review": N_("In review"),
    "review_supplement": N_("Supplement requested during review"),
    "suspended": N_("Suspended"),
    "approved": N_("Approved"),
    "denied": N_("Denied"),
    "issued": N_("Result issued"),
    "delivered": N_("Delivered"),
    "closed": N_("Closed"),
    "withdrawn": N_("Withdrawn"),
}

ACTION_LABELS = {
    "submit": N_("Submit"),
    "accept": N_("Accept"),
    "refuse": N_("Refuse"),
    "request_supplement": N_("Request supplement"),
    "supply": N_("Record supplement received"),
    "start_review": N_("Send for review"),
    "pass": N_("Pass review"),
    "sign": N_("Countersign"),
    "branch_approve": N_("Agree"),
    "approve": N_("Approve"),
    "deny": N_("Deny"),
    "issue": N_("Issue result"),
    "deliver": N_("Mark delivered"),
    "close": N_("Close"),
    "withdraw": N_("Withdraw"),
    "suspend": N_("Suspend"),
    "resume": N_("Resume"),
    "return": N_("Return to an earlier step"),
    "claim": N_("Claim"),
    "release": N_("Release"),
    "delegate": N_("Delegate"),
    "transfer": N_("Transfer"),
    "reassign": N_("Reassign"),
    "add_signer": N_("Add a signer"),
    "remove_signer": N_("Remove a signer"),
    "lapse": N_("Close for fees not paid in time"),  # the system's, core/payments
}

EVENT_LABELS = {
    "submit": N_("Filed"),
    "accept": N_("Accepted"),
    "refuse": N_("Not accepted"),
    "request_supplement": N_("Supplement requested"),
    "supply": N_("Supplement provided"),
    "route": N_("Sent for review"),
    "forward": N_("Passed on to the next step"),
    "review_passed": N_("Review passed"),
    "sign": N_("Countersigned"),
    "branch_approved": N_("Department agreed"),
    "silent_consent": N_("Department did not answer in time: counted as agreed"),
    "approve": N_("Approved"),
    "deny": N_("Denied"),
    "issue_held": N_("Result waits for payment of the fees"),
    "issue": N_("Result issued"),
    "deliver": N_("Delivered"),
    "close": N_("Closed"),
    "withdraw": N_("Withdrawn"),
    "suspend": N_("Suspended"),
    "resume": N_("Resumed"),
    "return": N_("Returned to an earlier step"),
    "claim": N_("Claimed"),
    "release": N_("Released"),
    "delegate": N_("Delegated"),
    "transfer": N_("Transferred"),
    "reassign": N_("Reassigned"),
    "add_signer": N_("Signer added"),
    "remove_signer": N_("Signer removed"),
    "light": N_("Time-limit light changed"),
    "step_light": N_("Step light changed"),
    "escalate": N_("Escalated to the supervisor"),
    # electronic supervision (core/reports): a supervisor urged the holders of an overdue case
    "urge": N_("Urged by the supervisor"),
    # e-licences (core/licences): an earlier e-licence was attached as a material
    "licence_attached": N_("E-licence attached as a material"),
    # payments (core/payments): the held result's payment deadline is near, or passed unpaid
    "payment_reminder": N_("Reminded to pay before the deadline"),
    "lapse": N_("Fees not paid by the deadline: application deemed withdrawn"),
}

LIGHT_LABELS = {"green": N_("On time"), "yellow": N_("Due soon"), "red": N_("Overdue"), "": ""}

DELIVERY_LABELS = {
    "window": N_("Collected at the window"),
    "post": N_("Sent by post"),
    "electronic": N_("Delivered electronically"),
}

PROBLEM_LABELS = {"missing": N_("missing"), "defective": N_("defective")}

# Procedures the law keeps outside the time limit (an item lists the ones it may need).
PROCEDURE_LABELS = {
    "hearing": N_("Hearing"),
    "expert_review": N_("Expert review"),
    "inspection": N_("On-site inspection"),
    "quarantine": N_("Quarantine"),
    "testing": N_("Testing and inspection"),
    "public_notice": N_("Public notice"),
    "appraisal": N_("Appraisal"),
}
