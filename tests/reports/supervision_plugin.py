"""A department plugin for the supervision tests, registered while they run.

Three items whose facts the hand-computed figures rest on — a 5-working-day
item without visits that a hearing may suspend, a 3-day item with one visit
and a 2-day item with two — and a bundle of the last two.
"""

from __future__ import annotations

from pathlib import Path

from core import hookimpl

NAME = "reports_fixture"
FIVE_DAY = "992477000005"  # committed 5 working days, 0 visits, hearing may suspend it
THREE_DAY = "992477000003"  # committed 3 working days, 1 visit
TWO_DAY = "992477000002"  # committed 2 working days, 2 visits
BUNDLE = "supervision_pair"


@hookimpl
def tongban_items():
    return [Path(__file__).parent / "items"]


@hookimpl
def tongban_bundles():
    return [
        {
            "code": BUNDLE,
            "name": "督办测试一件事",
            "name_en": "Supervision test bundle",
            "items": [THREE_DAY, TWO_DAY],
            "shared_materials": ["id_card"],
        }
    ]
