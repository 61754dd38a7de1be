"""Turning posted form pairs into the applicant section and the item's form data."""

from __future__ import annotations

from collections.abc import Iterable

from core.catalog.forms import parse_html_form

PREFIX = "applicant."
CONTROL_FIELDS = frozenset({"_csrf_token", "_field", "_idempotency_key"})


def split_submission(pairs: Iterable[tuple[str, str]]) -> tuple[dict, dict]:
    applicant: dict[str, str] = {}
    rest: list[tuple[str, str]] = []
    for name, value in pairs:
        if name in CONTROL_FIELDS:
            continue
        if name.startswith(PREFIX):
            applicant[name.removeprefix(PREFIX)] = value
        else:
            rest.append((name, value))
    return applicant, parse_html_form(rest)
