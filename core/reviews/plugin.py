"""The reviews module (好差评) as a built-in plugin: rating pages, the bad-review desk,
and the message asking the applicant for a rating."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.reviews.piccolo_app"]


@hookimpl
def tongban_route_handlers():
    from core.reviews.routes import (
        PublicReviewController,
        RectificationController,
        VisitReviewController,
    )

    return [PublicReviewController, VisitReviewController, RectificationController]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_case_event(case, event):
    """Once the applicant has an answer, ask them to rate the service (a message with a link)."""
    from core.reviews.notify import ask_for_rating

    return ask_for_rating(case, event)
