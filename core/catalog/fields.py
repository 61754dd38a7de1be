"""Form fields: their declaration, and the cleaning of one submitted value.

Each cleaner takes whatever arrived (a string from an HTML form, any JSON
value from the API, or an already-cleaned value being re-checked) and
returns the typed value, :data:`EMPTY`, or raises :class:`Invalid` with an
English msgid. Cleaners trust nothing about the input's type or size: the
validator is the authority for every submission and must never crash on it.

Every msgid a user can see is in :data:`MESSAGES`; the Chinese lives in
:mod:`core.catalog.field_messages` until it moves into the .po catalogue.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, get_args

import msgspec
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from core.catalog.conditions import Condition
from core.i18n import N_

FieldType = Literal[
    "text",
    "textarea",
    "number",
    "money",
    "date",
    "choice",
    "multichoice",
    "id_number",
    "mobile",
    "uscc",
    "address",
    "file",
    "group",
    "computed",
]
FIELD_TYPES: tuple[str, ...] = get_args(FieldType)

# -- hard limits: no schema can lift these, whatever it says -------------------
DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 2000, "address": 200}
HARD_MAX_CHARS = 10_000  # longest string any field accepts
IDENT_MAX_CHARS = 64  # longest raw input for numbers, codes and identifiers
HARD_MAX_ITEMS = 500  # group entries / multichoice selections
HARD_MAX_NUMBER = Decimal(10) ** 15  # |number| and money must stay below this
MAX_DECIMALS = 6
HARD_MAX_BYTES = 100 * 1024 * 1024
MAX_FILENAME = 255

# -- msgids ----------------------------------------------------------------------
REQUIRED = N_("This field is required")
WRONG_TYPE = N_("This value is not in the expected format")
TOO_LONG = N_("Ensure this value has at most %(max)s characters (it has %(length)s)")
TOO_SHORT = N_("Ensure this value has at least %(min)s characters (it has %(length)s)")
CONTROL_CHARS = N_("Remove control characters from this value")
INVISIBLE_CHARS = N_("Remove invisible or text-direction characters from this value")
NUMBER_INVALID = N_("Enter a number")
NUMBER_WHOLE = N_("Enter a whole number")
NUMBER_PLACES = N_("Enter a number with at most %(decimals)s decimal places")
NUMBER_HUGE = N_("This number is too large")
VALUE_MIN = N_("Ensure this value is at least %(min)s")
VALUE_MAX = N_("Ensure this value is at most %(max)s")
MONEY_INVALID = N_("Enter an amount in yuan, e.g. 1234.50")
MONEY_PLACES = N_("Enter an amount with at most two decimal places")
MONEY_NEGATIVE = N_("The amount cannot be negative")
DATE_INVALID = N_("Enter a valid date as YYYY-MM-DD")
DATE_MIN = N_("Enter a date on or after %(min)s")
DATE_MAX = N_("Enter a date on or before %(max)s")
DATE_FUTURE = N_("The date cannot be in the future")
DATE_PAST = N_("The date cannot be in the past")
CHOICE_INVALID = N_("Select a valid choice")
SELECT_MIN = N_("The minimum number of selections is %(min)s")
SELECT_MAX = N_("The maximum number of selections is %(max)s")
ID_INVALID = N_("Enter a valid 18-digit ID card number")
ID_CHECKSUM = N_("The check digit of this ID card number is wrong")
ID_BIRTH = N_("The birth date in this ID card number is not possible")
ID_REGION = N_("The region code of this ID card number does not exist")
MOBILE_INVALID = N_("Enter a valid mainland mobile number, e.g. 13800138000")
USCC_INVALID = N_("Enter a valid 18-character unified social credit code")
USCC_CHECKSUM = N_("The check character of this unified social credit code is wrong")
UNIT_INVALID = N_("Select a place from the list")
UNIT_UNKNOWN = N_("This place is not in the list of known places")
FILE_INVALID = N_("The file reference is not valid")
FILE_MISSING = N_("The uploaded file could not be found; please upload it again")
FILE_TYPE = N_("This type of file is not accepted; accepted types: %(accept)s")
FILE_TOO_BIG = N_("The file is too large; the limit is %(max)s")
FILE_EMPTY = N_("The file is empty")
FILE_NAME = N_("This file name is not allowed; rename the file and upload it again")
GROUP_MIN = N_("The minimum number of entries is %(min)s")
GROUP_MAX = N_("The maximum number of entries is %(max)s")
GROUP_ENTRY = N_("This entry is not valid")
COMPUTE_FAILED = N_("This value could not be computed")
INTERNAL = N_("This value could not be checked; please try again later")
MALFORMED = N_("The submission could not be read")

MESSAGES: tuple[str, ...] = (
    REQUIRED, WRONG_TYPE, TOO_LONG, TOO_SHORT, CONTROL_CHARS, INVISIBLE_CHARS,
    NUMBER_INVALID, NUMBER_WHOLE, NUMBER_PLACES, NUMBER_HUGE, VALUE_MIN, VALUE_MAX,
    MONEY_INVALID, MONEY_PLACES, MONEY_NEGATIVE,
    DATE_INVALID, DATE_MIN, DATE_MAX, DATE_FUTURE, DATE_PAST,
    CHOICE_INVALID, SELECT_MIN, SELECT_MAX,
    ID_INVALID, ID_CHECKSUM, ID_BIRTH, ID_REGION, MOBILE_INVALID, USCC_INVALID, USCC_CHECKSUM,
    UNIT_INVALID, UNIT_UNKNOWN,
    FILE_INVALID, FILE_MISSING, FILE_TYPE, FILE_TOO_BIG, FILE_EMPTY, FILE_NAME,
    GROUP_MIN, GROUP_MAX, GROUP_ENTRY, COMPUTE_FAILED, INTERNAL, MALFORMED,
)  # fmt: skip


# -- declarations ------------------------------------------------------------------
class Choice(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    value: str
    label: str
    label_en: str = ""


class Field(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """One form field. Options that do not apply to ``type`` must stay unset
    (``check_form`` reports them: a misplaced option is usually a typo).

    ``required`` on a multichoice or group means at least one selection or
    entry; a ``min_items`` above 0 implies it. A hidden field (``show_if``
    false) is never required. A computed field ignores user input.
    """

    name: str  # [a-z][a-z0-9_]*, unique among its siblings
    type: FieldType
    label: str  # Chinese
    label_en: str = ""
    help: str = ""
    help_en: str = ""
    required: bool = False
    show_if: Condition | None = None
    # text, textarea; address (its detail line)
    min_length: int | None = None
    max_length: int | None = None
    # number, money, date: numbers (or "0.01" strings); dates "2024-01-01", "today", "today-18y"
    min: int | float | str | None = None
    max: int | float | str | None = None
    decimals: int = 0  # number: decimal places allowed, 0 = whole numbers
    # choice, multichoice
    choices: list[Choice] = []
    # multichoice (selections), group (entries)
    min_items: int | None = None
    max_items: int | None = None
    # group
    fields: list[Field] = []
    # address: whether the free-text line after the unit is asked for
    detail: Literal["none", "optional", "required"] = "optional"
    # file
    accept: list[str] = []  # MIME types ("image/*" allowed) or ".ext", like HTML's accept
    max_bytes: int | None = None
    material: str = ""  # the item's material code this upload stands for
    # computed
    compute: str = ""  # name of a function from the tongban_computed_fields hook


class FileInfo(msgspec.Struct, frozen=True):
    """What the upload layer recorded about a stored file."""

    content_type: str
    size: int
    filename: str


@dataclass(frozen=True)
class Context:
    """Everything a cleaner may consult besides the value itself."""

    today: date
    known_unit_codes: Container[str] | None = None
    files: Mapping[str, FileInfo] | None = None
    computed: Mapping[str, Callable[[dict], Any]] = field(default_factory=dict)


class Invalid(Exception):
    """A value failed; ``at`` is appended to the field's path (".detail")."""

    def __init__(self, message: str, *, at: str = "", **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.at = at
        self.params = params


class _Empty:
    def __repr__(self) -> str:
        return "EMPTY"


EMPTY: Any = _Empty()  # "nothing was entered" (not the same as an invalid value)


# -- shared normalisation ----------------------------------------------------------
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _as_str(raw: Any) -> str | None:
    """A string for str and int input (clients send IDs as numbers); None if absent."""
    if raw is None:
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw.bit_length() > 256:
            raise Invalid(WRONG_TYPE)
        return str(raw)
    raise Invalid(WRONG_TYPE)


def check_chars(s: str, *, identifier: bool, allow: str = "") -> None:
    """Reject control characters everywhere, and invisible ones in identifiers.

    Free text keeps zero-width joiners (emoji, some scripts) but never
    text-direction overrides, which can make text read differently from
    what is stored.
    """
    if s.isprintable():
        return
    for ch in s:
        if ch in allow or ch == " ":
            continue
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cs", "Zl", "Zp"):
            raise Invalid(CONTROL_CHARS)
        if ch in _BIDI or (identifier and cat == "Cf"):
            raise Invalid(INVISIBLE_CHARS)


def _ident(raw: Any, invalid: str, *, drop: str = " -") -> str | None:
    """Normalise a code typed by a person: NFKC (full-width digits and
    letters), separators removed, upper case. None when nothing was typed."""
    s = _as_str(raw)
    if s is None:
        return None
    if len(s) > IDENT_MAX_CHARS:
        raise Invalid(invalid)
    s = s.strip()  # a pasted trailing newline is not worth an error
    check_chars(s, identifier=True)
    s = unicodedata.normalize("NFKC", s).strip()
    for ch in drop:
        s = s.replace(ch, "")
    return s.upper() or None


def _length_limit(f: Field) -> int:
    limit = f.max_length or DEFAULT_MAX_LENGTH.get(f.type, 200)
    return max(1, min(limit, HARD_MAX_CHARS))


def clean_plain_text(raw: Any, *, limit: int, min_length: int = 0, multiline: bool = False) -> Any:
    """Free text is kept exactly as typed (no HTML stripping, no Unicode
    normalisation, which would turn CJK compatibility ideographs in names
    into different characters); only outer whitespace is trimmed."""
    s = _as_str(raw)
    if s is None:
        return EMPTY
    if len(s) > HARD_MAX_CHARS:
        raise Invalid(TOO_LONG, max=limit, length=len(s))
    if multiline:
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = s.strip()
    if not s:
        return EMPTY
    check_chars(s, identifier=False, allow="\n\t" if multiline else "")
    if len(s) > limit:
        raise Invalid(TOO_LONG, max=limit, length=len(s))
    if len(s) < min_length:
        raise Invalid(TOO_SHORT, min=min_length, length=len(s))
    return s


def clean_text(f: Field, raw: Any, ctx: Context) -> Any:
    return clean_plain_text(
        raw, limit=_length_limit(f), min_length=f.min_length or 0, multiline=f.type == "textarea"
    )


# -- numbers -----------------------------------------------------------------------
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?\Z")


def _decimal(raw: Any, invalid: str, *, money: bool = False) -> Any:
    """A finite Decimal below the hard limit, from str, int, float or Decimal."""
    if raw is None:
        return EMPTY
    if isinstance(raw, bool):
        raise Invalid(invalid)
    if isinstance(raw, int):
        if raw.bit_length() > 64:
            raise Invalid(NUMBER_HUGE)
        value = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise Invalid(invalid)
        if abs(raw) >= HARD_MAX_NUMBER:
            raise Invalid(NUMBER_HUGE)
        value = Decimal(repr(raw))
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise Invalid(invalid)
        value = raw
    elif isinstance(raw, str):
        if len(raw) > IDENT_MAX_CHARS:
            raise Invalid(invalid)
        check_chars(raw.strip(), identifier=True)
        s = unicodedata.normalize("NFKC", raw).strip()
        if money:
            s = s.removeprefix("¥").removesuffix("元").strip()
        if not s:
            return EMPTY
        if not _NUMBER_RE.match(s):
            raise Invalid(invalid)
        value = Decimal(s.replace(",", ""))
    else:
        raise Invalid(WRONG_TYPE)
    if abs(value) >= HARD_MAX_NUMBER:
        raise Invalid(NUMBER_HUGE)
    return value if value else Decimal(0)  # no "-0"


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimal_bound(spec: Any) -> Decimal | None:
    """A schema bound as a Decimal, or None when unset or unusable (check_form reports it)."""
    if spec is None or isinstance(spec, bool):
        return None
    try:
        value = Decimal(spec.strip() if isinstance(spec, str) else repr(spec))
    except (InvalidOperation, ValueError, AttributeError):
        return None
    return value if value.is_finite() and abs(value) < HARD_MAX_NUMBER else None


def _check_bounds(value: Decimal, low: Decimal | None, high: Decimal | None, places: int) -> None:
    if low is not None and value < low:
        raise Invalid(VALUE_MIN, min=_fmt(low, places))
    if high is not None and value > high:
        raise Invalid(VALUE_MAX, max=_fmt(high, places))


def _fmt(value: Decimal, places: int) -> str:
    return format(value.quantize(Decimal(1).scaleb(-places)) if places else value, "f")


def clean_number(f: Field, raw: Any, ctx: Context) -> Any:
    value = _decimal(raw, NUMBER_INVALID)
    if value is EMPTY:
        return EMPTY
    places = max(0, min(f.decimals, MAX_DECIMALS))
    if decimal_places(value) > places:
        raise Invalid(NUMBER_PLACES, decimals=places) if places else Invalid(NUMBER_WHOLE)
    _check_bounds(value, decimal_bound(f.min), decimal_bound(f.max), 0)
    return value.quantize(Decimal(1).scaleb(-places)) if places else int(value)


def clean_money(f: Field, raw: Any, ctx: Context) -> Any:
    value = _decimal(raw, MONEY_INVALID, money=True)
    if value is EMPTY:
        return EMPTY
    if value < 0:
        raise Invalid(MONEY_NEGATIVE)
    if decimal_places(value) > 2:
        raise Invalid(MONEY_PLACES)
    _check_bounds(value, decimal_bound(f.min), decimal_bound(f.max), 2)
    return value.quantize(Decimal("0.01"))


# -- dates -------------------------------------------------------------------------
_DATE_RE = re.compile(r"([0-9]{4})[-/.年]([0-9]{1,2})[-/.月]([0-9]{1,2})日?\Z")
_ISO_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_RELATIVE_RE = re.compile(r"today(?:\s*([+-])\s*([0-9]{1,4})\s*([dwmy]))?\Z")


def date_bound(spec: Any, today: date) -> date | None:
    """Resolve "2024-01-01", "today", "today+30d", "today-6m", "today-18y" (None if unusable)."""
    if not isinstance(spec, str):
        return None
    s = spec.strip().lower()
    try:
        if _ISO_RE.match(s):
            return date.fromisoformat(s)
        m = _RELATIVE_RE.match(s)
        if not m:
            return None
        if not m.group(1):
            return today
        n = int(m.group(2)) * (1 if m.group(1) == "+" else -1)
        unit = m.group(3)
        if unit in "dw":
            return date.fromordinal(today.toordinal() + n * (7 if unit == "w" else 1))
        return add_months(today, n * (12 if unit == "y" else 1))
    except (ValueError, OverflowError):
        return None


def add_months(day: date, months: int) -> date:
    """Calendar arithmetic: 29 February plus a year is 28 February."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year = day.year + years
    last = calendar.monthrange(year, month0 + 1)[1] if 1 <= year <= 9999 else 28
    return date(year, month0 + 1, min(day.day, last))


def clean_date(f: Field, raw: Any, ctx: Context) -> Any:
    if raw is None:
        return EMPTY
    if isinstance(raw, datetime) or not isinstance(raw, date | str):
        raise Invalid(WRONG_TYPE)
    if isinstance(raw, date):
        value = raw
    else:
        if len(raw) > IDENT_MAX_CHARS:
            raise Invalid(DATE_INVALID)
        check_chars(raw.strip(), identifier=True)
        s = unicodedata.normalize("NFKC", raw).strip()
        if not s:
            return EMPTY
        m = _DATE_RE.match(s)
        if not m:
            raise Invalid(DATE_INVALID)
        try:
            value = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise Invalid(DATE_INVALID) from None
    low, high = date_bound(f.min, ctx.today), date_bound(f.max, ctx.today)
    if low is not None and value < low:
        if _is_today(f.min):
            raise Invalid(DATE_PAST)
        raise Invalid(DATE_MIN, min=low.isoformat())
    if high is not None and value > high:
        if _is_today(f.max):
            raise Invalid(DATE_FUTURE)
        raise Invalid(DATE_MAX, max=high.isoformat())
    return value


def _is_today(spec: Any) -> bool:
    return isinstance(spec, str) and spec.strip().lower() == "today"


# -- choices -----------------------------------------------------------------------
def clean_choice(f: Field, raw: Any, ctx: Context) -> Any:
    s = _as_str(raw)
    if s is None or not s.strip():
        return EMPTY
    s = s.strip()
    if not any(c.value == s for c in f.choices):
        raise Invalid(CHOICE_INVALID)
    return s


def clean_multichoice(f: Field, raw: Any, ctx: Context) -> Any:
    """A list in declaration order, without repeats. A single string counts as
    one selection because an HTML form sends one pair per ticked box."""
    if raw is None:
        return EMPTY
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list | tuple):
        raise Invalid(WRONG_TYPE)
    if len(items) > HARD_MAX_ITEMS:
        raise Invalid(SELECT_MAX, max=f.max_items or len(f.choices))
    picked: set[str] = set()
    for item in items:
        s = (_as_str(item) or "").strip()
        if not s:
            continue  # the hidden "" an HTML form sends for "nothing ticked"
        if not any(c.value == s for c in f.choices):
            raise Invalid(CHOICE_INVALID)
        picked.add(s)
    if not picked:
        return EMPTY
    if f.min_items is not None and len(picked) < f.min_items:
        raise Invalid(SELECT_MIN, min=f.min_items)
    if f.max_items is not None and len(picked) > f.max_items:
        raise Invalid(SELECT_MAX, max=f.max_items)
    return [c.value for c in f.choices if c.value in picked]


# -- personal and organisation identifiers -------------------------------------------
_ID_RE = re.compile(r"[0-9]{17}[0-9X]\Z")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}\Z")
_USCC_CHAR = "[0-9ABCDEFGHJKLMNPQRTUWXY]"
_USCC_RE = re.compile(f"{_USCC_CHAR}{{2}}[0-9]{{6}}{_USCC_CHAR}{{10}}\\Z")
EARLIEST_BIRTH = date(1900, 1, 1)


def clean_id_number(f: Field, raw: Any, ctx: Context) -> Any:
    """GB 11643 resident ID: python-stdnum's check digit, a real birth date
    not in the future, and a region code in stdnum's table (see
    :func:`region_plausible` for why not ``ric.validate`` itself)."""
    s = _ident(raw, ID_INVALID)
    if s is None:
        return EMPTY
    if not _ID_RE.match(s):
        raise Invalid(ID_INVALID)
    if ric.calc_check_digit(s) != s[-1]:
        raise Invalid(ID_CHECKSUM)
    try:
        born = ric.get_birth_date(s)
    except StdnumError:
        raise Invalid(ID_BIRTH) from None
    if not EARLIEST_BIRTH <= born <= ctx.today:
        raise Invalid(ID_BIRTH)
    if not region_plausible(s[:6], born):
        raise Invalid(ID_REGION)
    return s


def region_plausible(code: str, born: date) -> bool:
    """Whether the 6-digit region code existed for someone born on ``born``.

    ``ric.validate`` also refuses a county created *after* the birth year,
    but GB 11643's region code is where the person's household was
    registered when the number was assigned, not where they were born: a
    resident born in 1950 rightly holds 310115 (浦东新区, created 1992). Only
    a county abolished before the birth, or an unknown code, is impossible.
    """
    found = {k: v for _part, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    counties = found.get("county", "")
    for county in counties.split(",") if counties else ():
        if not county.startswith("["):
            return True
        end = county[1:].partition("]")[0].partition("-")[2]
        if not end.isdigit() or born.year <= int(end):
            return True
    return False


def clean_mobile(f: Field, raw: Any, ctx: Context) -> Any:
    s = _ident(raw, MOBILE_INVALID, drop=" -()")
    if s is None:
        return EMPTY
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    elif len(s) == 13 and s.startswith("86"):
        s = s[2:]
    if not _MOBILE_RE.match(s):
        raise Invalid(MOBILE_INVALID)
    return s


def clean_uscc(f: Field, raw: Any, ctx: Context) -> Any:
    """GB 32100 code. The checksum is python-stdnum's, but the format check is
    our own: stdnum wants 8 leading digits and so refuses codes issued by
    agriculture offices (``N…``: village collective economic organisations),
    which a village agency point sees every day."""
    s = _ident(raw, USCC_INVALID)
    if s is None:
        return EMPTY
    if not _USCC_RE.match(s):
        raise Invalid(USCC_INVALID)
    if uscc.calc_check_digit(s) != s[-1]:
        raise Invalid(USCC_CHECKSUM)
    return s


# -- address -----------------------------------------------------------------------
_UNIT_RE = re.compile(r"[0-9]{12}\Z")


def address_unit(raw: Any) -> str | None:
    """The unit code an address's ``unit`` value reads as — normalised exactly as
    :func:`clean_address` does — or None when it reads as none."""
    try:
        unit = _ident(raw, UNIT_INVALID)
    except Invalid:
        return None
    return unit if unit is not None and _UNIT_RE.match(unit) else None


def clean_address(f: Field, raw: Any, ctx: Context) -> Any:
    """``{"unit": 12-digit code, "detail": free text}``; a bare string is a unit code."""
    if raw is None:
        return EMPTY
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        unit_raw, detail_raw = raw, None
    elif isinstance(raw, Mapping):
        unit_raw, detail_raw = raw.get("unit"), raw.get("detail")
    else:
        raise Invalid(WRONG_TYPE)
    unit = _ident(unit_raw, UNIT_INVALID)
    detail: Any = EMPTY
    if f.detail != "none":
        try:
            detail = clean_plain_text(detail_raw, limit=_length_limit(f))
        except Invalid as exc:
            raise Invalid(exc.message, at=".detail", **exc.params) from None
    if unit is None:
        if detail is EMPTY:
            return EMPTY
        raise Invalid(UNIT_INVALID)
    if not _UNIT_RE.match(unit):
        raise Invalid(UNIT_INVALID)
    if ctx.known_unit_codes is not None and unit not in ctx.known_unit_codes:
        raise Invalid(UNIT_UNKNOWN)
    if detail is EMPTY and f.detail == "required":
        raise Invalid(REQUIRED, at=".detail")
    return {"unit": unit, "detail": "" if detail is EMPTY else detail}


# -- files -------------------------------------------------------------------------
_FILE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}\Z")
_NAME_FORBIDDEN = frozenset('/\\:*?"<>|')
_EXT_MIME = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "txt": "text/plain",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
# Never accepted, whatever ``accept`` says: they run or render when opened.
_DANGEROUS_EXT = frozenset(
    {"exe", "com", "bat", "cmd", "scr", "pif", "msi", "dll", "jar", "js", "mjs", "vbs", "vbe"}
    | {"wsf", "ps1", "sh", "app", "lnk", "hta", "html", "htm", "xhtml", "svg"}
)


def safe_filename(name: Any) -> bool:
    """A plain file name: no directories, no traversal, nothing invisible."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_FILENAME:
        return False
    try:
        check_chars(name, identifier=True)
    except Invalid:
        return False
    for form in (name, unicodedata.normalize("NFKC", name)):
        if _NAME_FORBIDDEN.intersection(form) or ".." in form or form.startswith("."):
            return False
    return name == name.strip()


def _extension(filename: str) -> str:
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def mime_accepted(content_type: str, filename: str, accept: list[str]) -> bool:
    """Like the browser's ``accept``: "image/*", "application/pdf" or ".pdf".

    A known extension must agree with the MIME types too, so "photo.exe" or
    "a.html" sent as image/jpeg does not slip through on a forged header.
    """
    ext = _extension(filename)
    if ext in _DANGEROUS_EXT:
        return False
    if not accept:
        return True
    entries = [entry.strip().lower() for entry in accept]
    if ext and f".{ext}" in entries:
        return True
    mimes = [entry for entry in entries if not entry.startswith(".")]

    def listed(mime: str) -> bool:
        return any(
            entry in ("*/*", mime) or (entry.endswith("/*") and mime.startswith(entry[:-1]))
            for entry in mimes
        )

    if not listed(content_type.split(";")[0].strip().lower()):
        return False
    return ext not in _EXT_MIME or listed(_EXT_MIME[ext])


def human_bytes(n: int) -> str:
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.4g} {unit}"
    return f"{n} B"


def clean_file(f: Field, raw: Any, ctx: Context) -> Any:
    """The value is the id of a file already uploaded *for this submission*.

    ``ctx.files`` doubles as the ownership check: an id that is not in it is
    refused, so without it every non-empty file field fails (fail closed).
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return EMPTY
    if not isinstance(raw, str) or not _FILE_ID_RE.match(raw):
        raise Invalid(FILE_INVALID)
    info = ctx.files.get(raw) if ctx.files is not None else None
    if not isinstance(info, FileInfo):
        raise Invalid(FILE_MISSING)
    if not safe_filename(info.filename):
        raise Invalid(FILE_NAME)
    if not isinstance(info.size, int) or info.size < 0:
        raise Invalid(FILE_INVALID)
    if info.size == 0:
        raise Invalid(FILE_EMPTY)
    limit = min(f.max_bytes or HARD_MAX_BYTES, HARD_MAX_BYTES)
    if info.size > limit:
        raise Invalid(FILE_TOO_BIG, max=human_bytes(limit))
    content_type = info.content_type if isinstance(info.content_type, str) else ""
    if not mime_accepted(content_type, info.filename, f.accept):
        raise Invalid(FILE_TYPE, accept=", ".join(f.accept) or "-")
    return raw


CLEANERS: dict[str, Callable[[Field, Any, Context], Any]] = {
    "text": clean_text,
    "textarea": clean_text,
    "number": clean_number,
    "money": clean_money,
    "date": clean_date,
    "choice": clean_choice,
    "multichoice": clean_multichoice,
    "id_number": clean_id_number,
    "mobile": clean_mobile,
    "uscc": clean_uscc,
    "address": clean_address,
    "file": clean_file,
}
