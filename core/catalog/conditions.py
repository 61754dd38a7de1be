"""``show_if`` conditions: when a form field is shown (and therefore checked).

A condition is data, written by a plugin author in TOML::

    show_if = { field = "marital_status", equals = "married" }
    show_if = { field = "relation", in = ["child", "grandchild"] }
    show_if = { field = "spouse_id", not_empty = true }
    show_if = { any_of = [ { field = "a", equals = "x" }, { field = "b", not_empty = true } ] }

Conditions only read *cleaned* values of fields declared above the field
they guard (``check_form`` enforces that), so a condition never sees raw
user input and a hidden field hides everything that depends on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

Scalar = str | int | float | bool

_SHAPE = (
    "a condition needs `field` with exactly one of `equals`, `in` or `not_empty = true`, "
    "or else a non-empty `any_of` or `all_of` list and nothing more (`in` must not be empty)"
)


class Condition(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """One test on an earlier field, or a combination of conditions.

    ``equals``/``in`` compare with the cleaned value: for a multichoice field
    they are true when any selected option matches.
    """

    field: str = ""
    equals: Scalar | None = None
    in_: list[Scalar] | None = msgspec.field(default=None, name="in")
    not_empty: bool = False
    any_of: list[Condition] | None = None
    all_of: list[Condition] | None = None

    def __post_init__(self) -> None:
        # Raised inside msgspec.convert this becomes a ValidationError naming
        # the path, e.g. "fields[3].show_if", which load_form reports.
        combos = [x for x in (self.any_of, self.all_of) if x is not None]
        tests = [x for x in (self.equals, self.in_, self.not_empty or None) if x is not None]
        if combos:
            if len(combos) > 1 or tests or self.field or not combos[0]:
                raise ValueError(_SHAPE)
        elif not self.field or len(tests) != 1 or self.in_ == []:
            raise ValueError(_SHAPE)


def referenced_fields(cond: Condition) -> Iterator[str]:
    """Every field name the condition reads (for the static schema check)."""
    if cond.field:
        yield cond.field
    for sub in _subs(cond):
        yield from referenced_fields(sub)


def _subs(cond: Condition) -> list[Condition]:
    return [*(cond.any_of or ()), *(cond.all_of or ())]


def compared_values(cond: Condition) -> Iterator[tuple[str, Scalar]]:
    """(field, value) for each ``equals``/``in`` value, to check against choices."""
    if cond.field:
        if cond.equals is not None:
            yield cond.field, cond.equals
        for value in cond.in_ or ():
            yield cond.field, value
    for sub in _subs(cond):
        yield from compared_values(sub)


def evaluate(cond: Condition, lookup: Callable[[str], Any]) -> bool:
    """Whether the condition holds; ``lookup(name)`` gives a cleaned value or None.

    Never raises: a value that cannot be compared simply does not match.
    """
    if cond.any_of:
        return any(evaluate(sub, lookup) for sub in cond.any_of)
    if cond.all_of:
        return all(evaluate(sub, lookup) for sub in cond.all_of)
    actual = lookup(cond.field)
    if cond.not_empty:
        return not is_empty(actual)
    if cond.in_ is not None:
        return any(matches(actual, expected) for expected in cond.in_)
    if cond.equals is not None:
        return matches(actual, cond.equals)
    return False


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | tuple | dict) and not value)


def matches(actual: Any, expected: Scalar) -> bool:
    """Compare a cleaned value with a value written in the schema.

    TOML authors write ``equals = 3`` or ``equals = "3"`` interchangeably, so
    numbers and strings compare by value; booleans only match booleans (a
    computed field may produce one).
    """
    if actual is None:
        return False
    if isinstance(actual, list | tuple):
        return any(matches(item, expected) for item in actual)
    if isinstance(actual, bool) or isinstance(expected, bool):
        return isinstance(actual, bool) and isinstance(expected, bool) and actual == expected
    if isinstance(actual, int | float | Decimal):
        try:
            return Decimal(str(actual)) == Decimal(str(expected).strip())
        except (InvalidOperation, ValueError):
            return False
    if isinstance(actual, date):
        return actual.isoformat() == str(expected)
    if isinstance(actual, str):
        return actual == (expected if isinstance(expected, str) else str(expected))
    return False
