"""Turning posted form pairs into the applicant section and the item's form data."""

from __future__ import annotations

from collections.abc import Iterable

from core.catalog.forms import parse_html_form

PREFIX = "applicant."
CONTROL_FIELDS = frozenset({"_csrf_token", "_field", "_idempotency_key", "_layout", "_op"})


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


def split_bundle(
    pairs: Iterable[tuple[str, str]], item_codes: list[str]
) -> tuple[dict, dict, list]:
    """A bundle's form: the shared applicant, each item's section (``<code>.<field>``)
    and the shared materials handed in (``_material``)."""
    pairs = list(pairs)
    applicant = {
        name.removeprefix(PREFIX): value for name, value in pairs if name.startswith(PREFIX)
    }
    sections = {}
    for code in item_codes:
        head = f"{code}."
        sections[code] = parse_html_form(
            [(name.removeprefix(head), value) for name, value in pairs if name.startswith(head)]
        )
    materials = [value for name, value in pairs if name == "_material"]
    return applicant, sections, materials


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def action_params(pairs: Iterable[tuple[str, str]]) -> tuple[str, dict]:
    """The action form of a case page -> ``(action, keyword arguments of act())``.

    A supplement request posts one ``material`` per ticked material with
    ``problem.<code>`` and ``note.<code>`` beside it; a supply posts the
    ticked ``material`` codes.
    """
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        if isinstance(value, str):
            form.setdefault(name, []).append(value)

    def one(name: str, limit: int = 2000) -> str:
        return (form.get(name) or [""])[0][:limit]

    action = one("action", 32)
    codes = [c[:40] for c in form.get("material", [])][:50]
    if action == "request_supplement":
        materials = [
            {"code": c, "problem": one(f"problem.{c}", 16), "note": one(f"note.{c}", 200)}
            for c in codes
        ]
    else:
        materials = codes
    return action, {
        "task_id": _int(one("task_id", 12)),
        "reason": one("reason"),
        "opinion": one("opinion"),
        "materials": tuple(materials),
        "justification": one("justification", 500),
        "to_step": one("to_step", 64),
        "to_unit": one("to_unit", 32),
        "to_staff": _int(one("to_staff", 12)),
        "method": one("method", 16),
        "reference": one("reference", 64),
        "procedure": one("procedure", 64),
    }
