"""The tracking code (统一办件编码): a case's public identifier.

Format, 18 characters, the same shape as a resident ID card number so that
clerks and residents already know how to read and type it::

    500110 261123 00042 5
    │      │      │     └ check character, ISO 7064 MOD 11-2 (0-9 or X)
    │      │      └ daily sequence, 00001-99999
    │      └ acceptance date, YYMMDD (years 2000-2099), site-local
    └ first 6 digits of the accepting unit's 12-digit division code (county level)

The check character is the one of the ID card (GB 11643), computed with
``stdnum.iso7064.mod_11_2``: it catches every single mistyped character and
every swap of two neighbouring characters. :func:`parse` therefore tells a
mistyped code apart from a code that is well formed but unknown, and the
lookup page can say "please check the code" instead of "no such case".

Residents type codes on phones: :func:`normalise` accepts full-width digits,
a lower-case or full-width x, spaces and any kind of dash.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from stdnum.iso7064 import mod_11_2

from core.i18n import N_

__all__ = [
    "CODE_LENGTH",
    "MAX_SEQUENCE",
    "InvalidReason",
    "InvalidTrackingCode",
    "TrackingCode",
    "format_for_display",
    "make_tracking_code",
    "normalise",
    "parse",
]

CODE_LENGTH = 18
MAX_SEQUENCE = 99_999

# ASCII only: str.isdigit() and int() also accept full-width and other
# Unicode digits, which must have been normalised away before this point.
_CODE_RE = re.compile(r"[0-9]{17}[0-9X]")
_DIGITS_RE = re.compile(r"[0-9]+")

# Characters people put between groups: dashes of every kind (category Pd,
# which covers the full-width hyphen after NFKC, en/em dashes and 「——」),
# the minus sign and the katakana prolonged sound mark some Chinese input
# methods produce for "-".
_EXTRA_SEPARATORS = frozenset("\u2212\u30fc")


class InvalidReason(StrEnum):
    """Why a string is not a tracking code; the web layer translates ``message``."""

    WRONG_LENGTH = "wrong_length"
    NOT_DIGITS = "not_digits"
    BAD_CHECK = "bad_check"
    IMPOSSIBLE_DATE = "impossible_date"

    @property
    def message(self) -> str:
        return _MESSAGES[self]


# Each says in words what is wrong and what to do: shown as is to whoever typed the code.
_MESSAGES: dict[InvalidReason, str] = {
    InvalidReason.WRONG_LENGTH: N_(
        "This tracking code has the wrong length: a tracking code has 18 characters. "
        "Please check it and type it again."
    ),
    InvalidReason.NOT_DIGITS: N_(
        "A tracking code has only digits, and an X only as its last character. "
        "Please check it and type it again."
    ),
    InvalidReason.BAD_CHECK: N_(
        "This tracking code has a typing error: a character is mistyped or two are swapped, "
        "so its last character (the check digit) does not match. "
        "Please check each digit and type it again."
    ),
    InvalidReason.IMPOSSIBLE_DATE: N_(
        "This tracking code contains a date that does not exist (characters 7 to 12 are the date). "
        "Please check it and type it again."
    ),
}


class InvalidTrackingCode(ValueError):
    """The input cannot be a tracking code; ``reason`` says why."""

    def __init__(self, code: str, reason: InvalidReason) -> None:
        super().__init__(f"invalid tracking code {code!r}: {reason.value}")
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TrackingCode:
    """A parsed tracking code. ``str()`` gives the canonical 18 characters."""

    division: str
    """Six digits: the county-level part of the accepting unit's division code."""
    day: dt.date
    sequence: int

    @property
    def body(self) -> str:
        return f"{self.division}{self.day:%y%m%d}{self.sequence:05d}"

    @property
    def check(self) -> str:
        return mod_11_2.calc_check_digit(self.body)

    @property
    def code(self) -> str:
        body = self.body
        return body + mod_11_2.calc_check_digit(body)

    def __str__(self) -> str:
        return self.code


def make_tracking_code(division_code: str, day: dt.date, sequence: int) -> str:
    """Build the code for the ``sequence``-th case accepted in a county on ``day``.

    ``division_code`` is the accepting unit's 12-digit administrative division
    code (a 6-digit county code is accepted too); ``day`` is the site-local
    acceptance date. Raises ValueError when the sequence is outside
    1..99999 — the caller must not wrap round and reuse a code.
    """
    if len(division_code) not in (6, 12) or not _DIGITS_RE.fullmatch(division_code):
        raise ValueError(f"division code must be 12 (or 6) ASCII digits, got {division_code!r}")
    if isinstance(day, dt.datetime):
        raise TypeError("day must be a site-local date, not a datetime")
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"tracking codes carry a two-digit year: {day.year} is out of range")
    if isinstance(sequence, bool) or not isinstance(sequence, int):
        raise TypeError(f"sequence must be an int, got {sequence!r}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(
            f"daily sequence {sequence} is outside 1..{MAX_SEQUENCE} for {division_code[:6]} on {day}"
        )
    return TrackingCode(division_code[:6], day, sequence).code


def normalise(user_input: str) -> str:
    """Canonicalise what a person typed: half-width, upper case, no separators.

    Does not validate; :func:`parse` does. NFKC folds full-width digits,
    ``Ｘ``/``ｘ`` and the ideographic space to ASCII.
    """
    folded = unicodedata.normalize("NFKC", user_input)
    kept = [
        ch
        for ch in folded
        if not (
            ch.isspace()
            or ch in _EXTRA_SEPARATORS
            or unicodedata.category(ch) in ("Pd", "Cf")  # dashes; zero-width spaces
        )
    ]
    return "".join(kept).upper()


def parse(code: str) -> TrackingCode:
    """Parse a tracking code as typed (it is normalised first).

    Raises :class:`InvalidTrackingCode` with the first reason found, in the
    order length, characters, check character, date.
    """
    canonical = normalise(code)
    if len(canonical) != CODE_LENGTH:
        raise InvalidTrackingCode(code, InvalidReason.WRONG_LENGTH)
    if not _CODE_RE.fullmatch(canonical):
        raise InvalidTrackingCode(code, InvalidReason.NOT_DIGITS)
    if not mod_11_2.is_valid(canonical):
        raise InvalidTrackingCode(code, InvalidReason.BAD_CHECK)
    try:
        # Not strptime("%y"): it maps 69-99 to the 1900s.
        day = dt.date(2000 + int(canonical[6:8]), int(canonical[8:10]), int(canonical[10:12]))
    except ValueError:
        raise InvalidTrackingCode(code, InvalidReason.IMPOSSIBLE_DATE) from None
    # A well-formed 00000 sequence is never issued, but it is not a typo either:
    # the lookup will simply not find it.
    sequence = int(canonical[12:17])
    return TrackingCode(canonical[:6], day, sequence)


def format_for_display(code: str) -> str:
    """Group a code for printing and reading aloud: ``500110-261123-00042-5``."""
    canonical = parse(code).code
    return f"{canonical[:6]}-{canonical[6:12]}-{canonical[12:17]}-{canonical[17]}"
