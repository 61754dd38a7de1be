"""Bits every workbench page shares: the guard, the session's proven residents, form reading."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.catalog.forms import FieldError
from core.web.guards import require_roles

FILING_ROLES = ("village_agent", "window_clerk")
GUARD = require_roles(*FILING_ROLES)
CONTROL_FIELDS = frozenset({"_csrf_token", "_field", "_idempotency_key"})

# Residents whose full ID number this person typed in this session (the card was
# in hand): they may be served even if registered elsewhere in the city.
PROVEN_KEY = "proven_residents"
PROVEN_MAX = 20


def is_proven(request: Request, resident_id: int) -> bool:
    session = request.session if "session" in request.scope else {}
    return resident_id in (session.get(PROVEN_KEY) or [])


def remember_proven(request: Request, resident_id: int) -> None:
    session = dict(request.session or {})
    ids = [i for i in session.get(PROVEN_KEY) or [] if i != resident_id]
    session[PROVEN_KEY] = [*ids[-(PROVEN_MAX - 1) :], resident_id]
    request.set_session(session)


def errors_by_path(errors: list[FieldError]) -> dict[str, list[FieldError]]:
    grouped: dict[str, list[FieldError]] = {}
    for error in errors:
        grouped.setdefault(error.path, []).append(error)
    return grouped


def text_pairs(pairs: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    """Form pairs that are typed values: no files, no control fields, no upload references."""
    return [
        (k, v)
        for k, v in pairs
        if isinstance(v, str) and k not in CONTROL_FIELDS and not k.startswith("_")
    ]


def control(pairs: list[tuple[str, Any]], name: str, limit: int = 200) -> str:
    value = next((v for k, v in pairs if k == name and isinstance(v, str)), "")
    return value[:limit]
