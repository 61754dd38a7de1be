"""The case state machine: which action may move a case from which state to which.

Actions are verbs a person (or the system) performs; each legal (state,
action) pair has exactly one target state. Anything else is refused with
:class:`~core.cases.errors.ActionNotAllowed`, before anything is written.

Some actions leave the state as it is (a review passed, a countersignature,
a return to an earlier review step); they are listed too, so that "may this
be done now?" has one answer. Work on a task — claiming, releasing,
delegating, transferring, reassigning, adding or removing a signer — is
allowed in :data:`TASK_STATES` and never changes the state.
"""

from __future__ import annotations

from enum import StrEnum

from core.cases.errors import ActionNotAllowed


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPPLEMENT_REQUESTED = "supplement_requested"  # before acceptance: the clock has not started
    ACCEPTED = "accepted"
    REFUSED = "refused"
    IN_REVIEW = "in_review"
    REVIEW_SUPPLEMENT = "review_supplement"  # during review: the clock stops until it arrives
    SUSPENDED = "suspended"
    APPROVED = "approved"
    DENIED = "denied"
    ISSUED = "issued"
    DELIVERED = "delivered"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


S = State

TRANSITIONS: dict[tuple[State, str], State] = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "accept"): S.ACCEPTED,
    (S.SUBMITTED, "refuse"): S.REFUSED,
    (S.SUBMITTED, "request_supplement"): S.SUPPLEMENT_REQUESTED,
    (S.SUPPLEMENT_REQUESTED, "supply"): S.SUBMITTED,
    (S.ACCEPTED, "start_review"): S.IN_REVIEW,
    (S.IN_REVIEW, "pass"): S.IN_REVIEW,
    (S.IN_REVIEW, "sign"): S.IN_REVIEW,
    (S.IN_REVIEW, "branch_approve"): S.IN_REVIEW,
    (S.IN_REVIEW, "return"): S.IN_REVIEW,
    (S.IN_REVIEW, "request_supplement"): S.REVIEW_SUPPLEMENT,
    (S.REVIEW_SUPPLEMENT, "supply"): S.IN_REVIEW,
    (S.IN_REVIEW, "suspend"): S.SUSPENDED,
    (S.SUSPENDED, "resume"): S.IN_REVIEW,
    (S.IN_REVIEW, "approve"): S.APPROVED,
    (S.IN_REVIEW, "deny"): S.DENIED,
    (S.APPROVED, "issue"): S.ISSUED,
    (S.ISSUED, "deliver"): S.DELIVERED,
    (S.DELIVERED, "close"): S.CLOSED,
    (S.DENIED, "close"): S.CLOSED,
    (S.REFUSED, "close"): S.CLOSED,
    (S.DRAFT, "withdraw"): S.WITHDRAWN,
    (S.SUBMITTED, "withdraw"): S.WITHDRAWN,
    (S.SUPPLEMENT_REQUESTED, "withdraw"): S.WITHDRAWN,
    (S.ACCEPTED, "withdraw"): S.WITHDRAWN,
    (S.IN_REVIEW, "withdraw"): S.WITHDRAWN,
    (S.REVIEW_SUPPLEMENT, "withdraw"): S.WITHDRAWN,
    (S.SUSPENDED, "withdraw"): S.WITHDRAWN,
    # By the system only (core/payments): fees of a held result not paid by the deadline,
    # the application is deemed withdrawn (视为撤回). No person can take this action.
    (S.APPROVED, "lapse"): S.WITHDRAWN,
}

# Actions that need a reason from the person taking them.
REASON_REQUIRED = frozenset(
    {"refuse", "deny", "suspend", "withdraw", "return", "transfer", "reassign", "remove_signer"}
)

OPEN_STATES = frozenset(
    {
        S.SUBMITTED,
        S.SUPPLEMENT_REQUESTED,
        S.ACCEPTED,
        S.IN_REVIEW,
        S.REVIEW_SUPPLEMENT,
        S.SUSPENDED,
    }
)
# The clock of the time limit stands still (or has not started) in these states.
PAUSED_STATES = frozenset({S.SUPPLEMENT_REQUESTED, S.REVIEW_SUPPLEMENT, S.SUSPENDED})
# A case whose time limit is running: accepted and not yet decided.
CLOCK_STATES = frozenset({S.ACCEPTED, S.IN_REVIEW, S.REVIEW_SUPPLEMENT, S.SUSPENDED})
FINAL_STATES = frozenset({S.CLOSED, S.WITHDRAWN})

# States in which a case has open tasks that people can claim, hand on or move.
TASK_STATES = frozenset(
    {
        S.SUBMITTED,
        S.SUPPLEMENT_REQUESTED,
        S.IN_REVIEW,
        S.REVIEW_SUPPLEMENT,
        S.SUSPENDED,
        S.APPROVED,
        S.ISSUED,
    }
)
TASK_ACTIONS = frozenset(
    {"claim", "release", "delegate", "transfer", "reassign", "add_signer", "remove_signer"}
)


def target(state: str, action: str) -> State:
    try:
        return TRANSITIONS[(State(state), action)]
    except (KeyError, ValueError):
        raise ActionNotAllowed(state, action) from None


def check_task_action(state: str, action: str) -> None:
    """Refuse work on tasks of a case that has none left to work on."""
    if action not in TASK_ACTIONS or state not in TASK_STATES:
        raise ActionNotAllowed(state, action)


def actions_from(state: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == state]
