"""The rating scale, its dimensions and the reasons a resident may tick (GB/T 39734-2020).

Five levels, 5 = very satisfied … 1 = very dissatisfied. A rating of 2 or 1
is a bad review (差评) and must be followed up; 3 ("basically satisfied")
and above count as good. The overall level is required; the dimensions —
efficiency, accuracy of the service guide, convenience, attitude — are
optional, and so are the reasons and the comment.
"""

from __future__ import annotations

from core.i18n import N_

LEVELS = (5, 4, 3, 2, 1)
LEVEL_LABELS = {
    5: N_("Very satisfied"),
    4: N_("Satisfied"),
    3: N_("Basically satisfied"),
    2: N_("Dissatisfied"),
    1: N_("Very dissatisfied"),
}
BAD_BELOW = 3  # overall < 3: dissatisfied or very dissatisfied

DIMENSIONS = ("efficiency", "guide", "convenience", "attitude")
DIMENSION_LABELS = {
    "overall": N_("Overall"),
    "efficiency": N_("Efficiency"),
    "guide": N_("Accuracy of the service guide"),
    "convenience": N_("Convenience"),
    "attitude": N_("Attitude"),
}

# Reasons, in the spirit of the national system's lists: what went well, what did not.
GOOD_REASONS = {
    "quick": N_("Handled quickly"),
    "one_trip": N_("Done in one trip or none"),
    "clear_guide": N_("The guide was clear and correct"),
    "friendly": N_("Friendly, patient staff"),
    "easy": N_("Simple procedure, few materials"),
}
BAD_REASONS = {
    "slow": N_("Took too long or missed the time limit"),
    "many_trips": N_("Had to come more than once"),
    "guide_wrong": N_("The guide did not match what was asked"),
    "materials_again": N_("Asked for materials already handed in"),
    "rude": N_("Unfriendly or careless staff"),
    "fees": N_("Unexpected fees"),
    "system": N_("Systems or equipment did not work"),
}
REASONS = {**GOOD_REASONS, **BAD_REASONS}

RECTIFICATION_STATES = {
    "open": N_("Awaiting rectification"),
    "appealed": N_("Appealed"),
    "rectified": N_("Rectified"),
    "explained": N_("Explained"),
    "overturned": N_("Overturned on appeal"),
}
ACTION_LABELS = {
    "opened": N_("Bad review received"),
    "callback": N_("Called the applicant back"),
    "rectified": N_("Rectified"),
    "explained": N_("Explained"),
    "appealed": N_("Appealed"),
    "upheld": N_("Appeal rejected: the review stands"),
    "overturned": N_("Appeal granted: the review is void"),
}
CHANNEL_LABELS = {
    "status_page": N_("Status page"),
    "link": N_("Link in a message"),
    "tablet": N_("On site (tablet)"),
}
