"""The case state machine: which action may move a case from which state to which.

Actions are verbs a person (or the system) performs; each legal (state,
action) pair has exactly one target state. Anything else is refused with
:class:`TransitionNotAllowed`, before anything is written.
"""

from __future__ import annotations

from enum import StrEnum

from core.errors import TransitionNotAllowed


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    ACCEPTED = "accepted"
    REFUSED = "refused"
    IN_REVIEW = "in_review"
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
    (S.SUSPENDED, "withdraw"): S.WITHDRAWN,
}

# Actions that need a reason from the person taking them.
REASON_REQUIRED = frozenset({"refuse", "deny", "request_supplement", "suspend", "withdraw"})

OPEN_STATES = frozenset({S.SUBMITTED, S.SUPPLEMENT_REQUESTED, S.ACCEPTED, S.IN_REVIEW, S.SUSPENDED})
FINAL_STATES = frozenset({S.CLOSED, S.WITHDRAWN})


def target(state: str, action: str) -> State:
    try:
        return TRANSITIONS[(State(state), action)]
    except (KeyError, ValueError):
        raise TransitionNotAllowed(state=state, action=action) from None


def actions_from(state: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == state]
