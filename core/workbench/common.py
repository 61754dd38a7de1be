"""Bits every workbench page shares: the guard, the session's proven residents, form reading."""

from __future__ import annotations

from typing import Any

from core.catalog.forms import FieldError
from core.residents.routes import is_proven, remember_proven  # noqa: F401  (re-exported)
from core.web.guards import require_roles

FILING_ROLES = ("village_agent", "window_clerk")
GUARD = require_roles(*FILING_ROLES)
CONTROL_FIELDS = frozenset({"_csrf_token", "_field", "_idempotency_key"})


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
