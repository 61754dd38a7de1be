"""Declarative application forms: loading, static checks and the validator.

Department plugins declare forms as data (TOML tables converted with
msgspec). :func:`validate` is the authority for every submission: the full
submit and the web page's live per-field check (``only=``) run the same
code, so what the page accepts is what the case service accepts.

The validator never raises on user data. Whatever arrives (wrong types,
huge strings, control characters, NaN, deeply nested junk) becomes a
:class:`FieldError` carrying an English msgid that is translated when the
page is rendered.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Container, Iterable, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from core.catalog.conditions import Condition, compared_values, evaluate, referenced_fields
from core.catalog.fields import (
    CLEANERS,
    COMPUTE_FAILED,
    EMPTY,
    FIELD_TYPES,
    GROUP_ENTRY,
    GROUP_MAX,
    GROUP_MIN,
    HARD_MAX_BYTES,
    HARD_MAX_CHARS,
    HARD_MAX_ITEMS,
    INTERNAL,
    MALFORMED,
    MAX_DECIMALS,
    MESSAGES,
    REQUIRED,
    WRONG_TYPE,
    Choice,
    Context,
    Field,
    FieldType,
    FileInfo,
    Invalid,
    date_bound,
    decimal_bound,
)

__all__ = [
    "FIELD_TYPES",
    "MESSAGES",
    "Choice",
    "Condition",
    "Field",
    "FieldError",
    "FieldType",
    "FileInfo",
    "Form",
    "FormResult",
    "FormSchemaError",
    "check_form",
    "find_field",
    "load_form",
    "parse_html_form",
    "validate",
]

logger = logging.getLogger(__name__)

# Where no site is configured (a plugin's own tests). Tongban's callers pass the site's
# day (``core.settings.site_today``), so its time zone setting counts.
DEFAULT_TIMEZONE = "Asia/Shanghai"
MAX_GROUP_DEPTH = 3


class Form(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    fields: list[Field]


class FieldError(msgspec.Struct):
    """One problem at ``path`` ("name", "children[1].id_number", "home.detail").

    ``message`` is an English msgid with ``%(name)s`` placeholders filled from
    ``params`` after translation; the path "" means the whole submission.
    """

    path: str
    message: str
    params: dict[str, Any] = {}

    def translate(self, locale: str) -> str:
        """The message in ``locale``: ``zh_CN`` or ``en``, or as BCP 47 writes them
        (``zh-CN``, ``zh-Hans-CN``, ``en-US``); a language without a catalogue gets English."""
        from core.i18n import gettext

        return gettext(_catalogue_locale(locale), self.message, **self.params)


def _catalogue_locale(locale: str) -> str:
    """``zh-CN`` / ``zh_Hans_CN`` → ``zh_CN``, ``en-US`` → ``en``: the catalogue's name."""
    from babel import Locale, UnknownLocaleError

    from core.i18n import LOCALES

    if locale in LOCALES:
        return locale
    try:
        language = Locale.parse(locale.replace("-", "_")).language
    except (ValueError, TypeError, UnknownLocaleError):
        return locale
    return next((name for name in LOCALES if name.split("_")[0] == language), locale)


class FormResult(msgspec.Struct):
    """Cleaned, typed values (only of visible, valid fields) and the errors."""

    values: dict[str, Any]
    errors: list[FieldError]

    @property
    def ok(self) -> bool:
        return not self.errors

    def errors_by_path(self) -> dict[str, list[FieldError]]:
        grouped: dict[str, list[FieldError]] = {}
        for error in self.errors:
            grouped.setdefault(error.path, []).append(error)
        return grouped


class FormSchemaError(ValueError):
    """A form declaration that cannot be loaded; ``path`` names the bad field."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


# -- loading -------------------------------------------------------------------------
_AT_RE = re.compile(r"(.*) - at `\$(.*)`\Z", re.S)


def load_form(data: Any) -> Form:
    """Convert a TOML/dict declaration; errors name the path of the bad field."""
    if isinstance(data, Form):
        return data
    try:
        return msgspec.convert(data, Form)
    except msgspec.ValidationError as exc:
        raise _schema_error(str(exc)) from None


_PATH_PART_RE = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")


def _declared_at(root: type, path: str) -> tuple[type | None, tuple[Any, ...]]:
    """The struct holding the key at ``path`` ("workflow.steps[1].kind") under ``root``,
    and the key's allowed values when it is a Literal (else ``()``)."""
    info: Any = msgspec.inspect.type_info(root)
    owner: type | None = None
    for name, index in _PATH_PART_RE.findall(path):
        while isinstance(info, msgspec.inspect.UnionType):  # Optional[...]
            info = next(t for t in info.types if not isinstance(t, msgspec.inspect.NoneType))
        if index:
            info = getattr(info, "item_type", None)
        elif isinstance(info, msgspec.inspect.StructType):
            owner = info.cls
            info = next((f.type for f in info.fields if f.name == name), None)
        else:
            return None, ()
        if info is None:
            return None, ()
    while isinstance(info, msgspec.inspect.UnionType):
        info = next(t for t in info.types if not isinstance(t, msgspec.inspect.NoneType))
    values = info.values if isinstance(info, msgspec.inspect.LiteralType) else ()
    return owner, tuple(values)


# What an unknown value of a Literal key is called, by the struct it belongs to.
_ENUM_NOUNS = {("Item", "type"): "item type", ("Step", "kind"): "step kind"}


def _schema_error(text: str, root: type | None = None) -> FormSchemaError:
    """msgspec's validation message as a declaration problem naming the path.

    ``root`` is the struct a plugin's declaration was converted to (an item, a unit
    kind): an unknown value of a Literal key then says what it is (item type, step
    kind) and lists what it may be. Without it, a :class:`Form` is assumed."""
    m = _AT_RE.match(text)
    msg, path = (m.group(1), m.group(2).lstrip(".")) if m else (text, "")
    if e := re.match(r"Invalid enum value (.*)", msg):
        owner, values = _declared_at(root or Form, path)
        if owner is Field and path.endswith("type"):
            return FormSchemaError(path, f"unknown field type {e.group(1)}")
        key = path.rsplit(".", 1)[-1]
        noun = _ENUM_NOUNS.get((getattr(owner, "__name__", ""), key))
        problem = f"unknown {noun} {e.group(1)}" if noun else f"invalid enum value {e.group(1)}"
        if values and root is not None:  # a plugin's declaration: say what it may be
            problem += f"; use one of {', '.join(str(v) for v in values)}"
        return FormSchemaError(path, problem)
    if e := re.match(r"Object missing required field `(.*)`", msg):
        return FormSchemaError(_join(path, e.group(1)), "required but missing")
    if e := re.match(r"Object contains unknown field `(.*)`", msg):
        return FormSchemaError(_join(path, e.group(1)), "unknown option (a typo?)")
    if "got `date" in msg:
        return FormSchemaError(
            path, 'write dates as quoted strings: "2024-01-01", "today", "today-18y"'
        )
    return FormSchemaError(path or "form", msg[:1].lower() + msg[1:])


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


# -- static checks -----------------------------------------------------------------
_NAME_RE = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")
_ACCEPT_RE = re.compile(r"(?:\.[a-z0-9]{1,10}|\*/\*|[a-z]+/(?:\*|[a-z0-9][a-z0-9.+-]*))\Z")
_OPTIONS: dict[str, tuple[str, ...]] = {
    "text": ("min_length", "max_length"),
    "textarea": ("min_length", "max_length"),
    "number": ("min", "max", "decimals"),
    "money": ("min", "max"),
    "date": ("min", "max"),
    "choice": ("choices",),
    "multichoice": ("choices", "min_items", "max_items"),
    "id_number": (),
    "mobile": (),
    "uscc": (),
    "address": ("max_length", "detail"),
    "file": ("accept", "max_bytes", "material"),
    "group": ("fields", "min_items", "max_items"),
    "computed": ("compute",),
}
_TYPED_OPTIONS = tuple(dict.fromkeys(opt for opts in _OPTIONS.values() for opt in opts))


def _defaults() -> dict[str, Any]:
    out = {}
    for info in msgspec.structs.fields(Field):
        if info.name in _TYPED_OPTIONS:
            factory = info.default_factory
            out[info.name] = factory() if factory is not msgspec.NODEFAULT else info.default
    return out


_OPTION_DEFAULTS = _defaults()


def check_form(
    form: Form,
    *,
    materials: Container[str] | None = None,
    functions: Container[str] | None = None,
) -> list[str]:
    """Every problem that would make the form misbehave, each naming its path.

    ``materials`` are the item's material codes (file fields must name one of
    them); ``functions`` the computed-field functions the plugins provide.
    Either check is skipped when not given.
    """
    if not form.fields:
        return ["fields: a form needs at least one field"]
    checker = _Checker(materials, functions)
    checker.fields(form.fields, "fields", {}, depth=0)
    return checker.problems


class _Checker:
    def __init__(self, materials: Container[str] | None, functions: Container[str] | None) -> None:
        self.materials = materials
        self.functions = functions
        self.problems: list[str] = []

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def fields(
        self, fields: list[Field], where: str, visible: dict[str, Field], depth: int
    ) -> None:
        """``visible``: fields of enclosing scopes declared before this group."""
        names = [f.name for f in fields]
        seen: dict[str, Field] = {}
        for index, f in enumerate(fields):
            p = f"{where}[{index}]"
            if not _NAME_RE.match(f.name):
                self.add(
                    f"{p}.name",
                    f"{f.name!r} is not a valid name: use a-z, 0-9 and _, starting with a letter",
                )
            elif f.name in seen:
                self.add(f"{p}.name", f"duplicate field name {f.name!r}")
            if not f.label.strip():
                self.add(f"{p}.label", "a field needs a (Chinese) label")
            for option in _TYPED_OPTIONS:
                if (
                    option not in _OPTIONS[f.type]
                    and getattr(f, option) != _OPTION_DEFAULTS[option]
                ):
                    self.add(f"{p}.{option}", f"does not apply to a {f.type} field")
            self.by_type(f, p, depth)
            if f.show_if is not None:
                self.condition(
                    f.show_if, f"{p}.show_if", f.name, seen, visible, set(names[index + 1 :])
                )
            if f.type == "group":
                self.fields(f.fields, f"{p}.fields", {**visible, **seen}, depth + 1)
            seen.setdefault(f.name, f)

    def condition(
        self,
        cond: Condition,
        where: str,
        own: str,
        seen: dict[str, Field],
        visible: dict[str, Field],
        later: set[str],
    ) -> None:
        # Resolution mirrors the validator: siblings first, then enclosing scopes.
        targets: dict[str, Field] = {}
        for ref in dict.fromkeys(referenced_fields(cond)):
            if ref == own:
                self.add(where, f"the condition of {own!r} refers to the field itself")
            elif ref in seen:
                targets[ref] = seen[ref]
            elif ref in later:
                self.add(
                    where,
                    f"refers to {ref!r}, which comes later; a condition can only use fields above it",
                )
            elif ref in visible:
                targets[ref] = visible[ref]
            else:
                self.add(where, f"refers to unknown field {ref!r}")
        for ref, value in compared_values(cond):
            target = targets.get(ref)
            if target is None:
                continue
            if target.type in ("group", "file", "address"):
                self.add(
                    where,
                    f"a {target.type} field such as {ref!r} can only be tested with not_empty",
                )
            elif target.type in ("choice", "multichoice") and str(value) not in {
                c.value for c in target.choices
            }:
                self.add(where, f"{value!r} is not one of the choices of {ref!r}")

    def by_type(self, f: Field, p: str, depth: int) -> None:
        t = f.type
        if t in ("text", "textarea", "address"):
            self.lengths(f, p)
        elif t in ("number", "money"):
            self.number_bounds(f, p)
        elif t == "date":
            self.date_bounds(f, p)
        elif t in ("choice", "multichoice"):
            self.choices(f, p)
        elif t == "file":
            self.file(f, p)
        elif t == "group":
            if not f.fields:
                self.add(f"{p}.fields", "a group needs at least one field")
            if depth + 1 > MAX_GROUP_DEPTH:
                self.add(p, f"groups can be nested at most {MAX_GROUP_DEPTH} deep")
        elif t == "computed":
            if not f.compute.strip():
                self.add(f"{p}.compute", "a computed field must name its function")
            elif self.functions is not None and f.compute not in self.functions:
                self.add(f"{p}.compute", f"unknown function {f.compute!r}")
            if f.required:
                self.add(
                    f"{p}.required", "a computed field is never typed in, so it cannot be required"
                )
        if t in ("multichoice", "group"):
            self.item_counts(f, p)

    def lengths(self, f: Field, p: str) -> None:
        if f.max_length is not None and not 1 <= f.max_length <= HARD_MAX_CHARS:
            self.add(f"{p}.max_length", f"must be between 1 and {HARD_MAX_CHARS}")
        if f.min_length is not None and (
            f.min_length < 0 or f.min_length > (f.max_length or HARD_MAX_CHARS)
        ):
            self.add(f"{p}.min_length", "must be between 0 and max_length")

    def number_bounds(self, f: Field, p: str) -> None:
        if not 0 <= f.decimals <= MAX_DECIMALS:
            self.add(f"{p}.decimals", f"must be between 0 and {MAX_DECIMALS}")
        bounds = {}
        for option in ("min", "max"):
            spec = getattr(f, option)
            if spec is None:
                continue
            bounds[option] = value = decimal_bound(spec)
            if value is None:
                self.add(f"{p}.{option}", f"{spec!r} is not a number within ±10^15")
            elif f.type == "money" and value < 0:
                self.add(f"{p}.{option}", "money cannot be negative")
        if None not in (bounds.get("min"), bounds.get("max")) and bounds["min"] > bounds["max"]:
            self.add(p, "min is greater than max")

    def date_bounds(self, f: Field, p: str) -> None:
        probe = date(2000, 1, 1)  # any day will do to see whether a bound parses
        for option in ("min", "max"):
            spec = getattr(f, option)
            if spec is not None and date_bound(spec, probe) is None:
                self.add(
                    f"{p}.{option}",
                    f'{spec!r} is not a date such as "2024-01-01", "today" or "today-18y"',
                )
        low, high = date_bound(f.min, probe), date_bound(f.max, probe)
        if low and high and low > high:
            self.add(p, "min is later than max")

    def choices(self, f: Field, p: str) -> None:
        if not f.choices:
            self.add(f"{p}.choices", f"a {f.type} field needs choices")
        values = [c.value for c in f.choices]
        for index, choice in enumerate(f.choices):
            if not choice.value.strip() or choice.value != choice.value.strip():
                self.add(
                    f"{p}.choices[{index}].value", "must be non-empty, without surrounding spaces"
                )
            elif values.index(choice.value) != index:
                self.add(f"{p}.choices[{index}].value", f"duplicate choice {choice.value!r}")
            if not choice.label.strip():
                self.add(f"{p}.choices[{index}].label", "a choice needs a label")

    def item_counts(self, f: Field, p: str) -> None:
        low, high = f.min_items, f.max_items
        ceiling = len(f.choices) if f.type == "multichoice" else HARD_MAX_ITEMS
        for option, value in (("min_items", low), ("max_items", high)):
            if value is not None and not 0 <= value <= ceiling:
                self.add(f"{p}.{option}", f"must be between 0 and {ceiling}")
        if low is not None and high is not None and low > high:
            self.add(p, "min_items is greater than max_items")

    def file(self, f: Field, p: str) -> None:
        for index, entry in enumerate(f.accept):
            if not _ACCEPT_RE.match(entry.strip().lower()):
                self.add(
                    f"{p}.accept[{index}]",
                    f"{entry!r} is not a MIME type such as 'image/*' or an extension such as '.pdf'",
                )
        if f.max_bytes is not None and not 1 <= f.max_bytes <= HARD_MAX_BYTES:
            self.add(f"{p}.max_bytes", f"must be between 1 and {HARD_MAX_BYTES}")
        if f.material and self.materials is not None and f.material not in self.materials:
            self.add(f"{p}.material", f"{f.material!r} is not one of the item's materials")


# -- HTML form data ------------------------------------------------------------------
MAX_PAIRS = 10_000
MAX_KEY = 200
_KEY_RE = re.compile(r"[a-z][a-z0-9_]*(?:\[[0-9]{1,4}\]|\.[a-z][a-z0-9_]*)*\Z")
_SEGMENT_RE = re.compile(r"\[([0-9]+)\]|\.?([a-z][a-z0-9_]*)")


class _Positions(dict):
    """A list under construction, keyed by the index the page gave each entry."""


def parse_html_form(items: Iterable[tuple[str, str]] | Mapping[str, str]) -> dict:
    """Flat (name, value) pairs -> the nested structure :func:`validate` takes.

    "tags" repeated -> a list; "home.detail" -> {"home": {"detail": ...}};
    "children[3].name" -> {"children": [{"name": ...}]}. Indices only order
    the entries (gaps close up, so a row deleted on the page leaves no hole).
    Pairs whose name does not fit, or that clash with an earlier shape, are
    kept flat or dropped: the validator ignores names it does not declare.
    Non-string values (uploaded file objects) are skipped: files arrive by id.
    """
    pairs = items.items() if isinstance(items, Mapping) else items
    root: dict = {}
    for count, pair in enumerate(pairs):
        if count >= MAX_PAIRS:
            break
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            continue
        key, value = pair
        if not isinstance(key, str) or not isinstance(value, str) or len(key) > MAX_KEY:
            continue
        if _KEY_RE.match(key):
            path = [int(i) if i else name for i, name in _SEGMENT_RE.findall(key)]
        else:
            path = [key]
        _insert(root, path, value)
    return _finish(root)


def _insert(root: dict, path: list[str | int], value: str) -> None:
    node: dict = root
    for segment, following in zip(path, path[1:], strict=False):
        want = _Positions if isinstance(following, int) else dict
        child = node.get(segment)
        if child is None:
            child = node[segment] = want()
        elif type(child) is not want:
            return  # "a" sent both as a value and as "a.b": keep the first shape
        node = child
    old = node.get(path[-1])
    if old is None:
        node[path[-1]] = value
    elif isinstance(old, str):
        node[path[-1]] = [old, value]
    elif isinstance(old, list):
        old.append(value)


def _finish(node: Any) -> Any:
    if isinstance(node, _Positions):
        return [_finish(node[index]) for index in sorted(node)]
    if isinstance(node, dict):
        return {key: _finish(value) for key, value in node.items()}
    return node


# -- validation ----------------------------------------------------------------------
Scope = tuple[frozenset[str], dict[str, Any]]
_SKIP: Any = object()  # the field gets no value (hidden, invalid or failed)


def local_today() -> date:
    try:
        return datetime.now(ZoneInfo(DEFAULT_TIMEZONE)).date()
    except Exception:  # no tz database on this machine
        return date.today()


def validate(
    form: Form,
    data: Mapping[str, Any],
    *,
    computed: Mapping[str, Callable[[dict], Any]] | None = None,
    known_unit_codes: Container[str] | None = None,
    files: Mapping[str, FileInfo] | None = None,
    only: str | None = None,
    today: date | None = None,
) -> FormResult:
    """Clean ``data`` against ``form``; never raises on any input.

    Fields are handled top to bottom: a ``show_if`` and a computed function
    see the cleaned values of the fields above (invalid or hidden ones are
    absent). Hidden fields are neither required nor kept; unknown names are
    ignored. Visible optional fields left empty get ``None`` (``[]`` for
    multichoice and group). ``files`` are the uploads of *this* submission
    by id: a file id not in it is refused. ``only="children[1].id_number"``
    reports just that path's errors (the live check) but reads everything.
    ``today`` (the day dates like ``"today-18y"`` count from) defaults to the date in
    Asia/Shanghai; Tongban's own callers pass the site's.
    """
    run = _Run(
        Context(
            today=today or local_today(),
            known_unit_codes=known_unit_codes,
            files=files,
            computed=computed or {},
        )
    )
    if not isinstance(data, Mapping):
        run.error("", MALFORMED)
        data = {}
    try:
        values = run.fields(form.fields, data, "", ())
    except Exception:  # a bug here must not become a 500 for the resident
        logger.exception("form validation failed")
        run.error("", INTERNAL)
        values = {}
    errors = run.errors if only is None else [e for e in run.errors if _within(e.path, only)]
    return FormResult(values=values, errors=errors)


def _within(path: str, only: str) -> bool:
    return path == only or path.startswith((only + ".", only + "["))


class _Run:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.errors: list[FieldError] = []

    def error(self, path: str, message: str, **params: Any) -> None:
        self.errors.append(FieldError(path=path, message=message, params=params))

    def fields(
        self, fields: list[Field], raw: Mapping, prefix: str, outer: tuple[Scope, ...]
    ) -> dict:
        out: dict[str, Any] = {}
        scopes = ((frozenset(f.name for f in fields), out), *outer)

        def lookup(name: str) -> Any:
            for names, values in scopes:
                if name in names:
                    return values.get(name)
            return None

        for f in fields:
            path = prefix + f.name
            try:
                if f.show_if is not None and not evaluate(f.show_if, lookup):
                    continue
                if f.type == "computed":
                    value = self.compute(f, out, path)
                elif f.type == "group":
                    value = self.group(f, raw.get(f.name), path, scopes)
                else:
                    value = self.scalar(f, raw.get(f.name), path)
            except Exception:
                logger.exception("checking form field %s failed", path)
                self.error(path, INTERNAL)
                continue
            if value is not _SKIP:
                out[f.name] = value
        return out

    def scalar(self, f: Field, raw: Any, path: str) -> Any:
        try:
            value = CLEANERS[f.type](f, raw, self.ctx)
        except Invalid as exc:
            self.error(path + exc.at, exc.message, **exc.params)
            return _SKIP
        if value is EMPTY:
            if f.required or (f.type == "multichoice" and (f.min_items or 0) > 0):
                self.error(path, REQUIRED)
                return _SKIP
            return [] if f.type == "multichoice" else None
        return value

    def group(self, f: Field, raw: Any, path: str, scopes: tuple[Scope, ...]) -> Any:
        if raw is None:
            raw = []
        if not isinstance(raw, list | tuple):
            self.error(path, WRONG_TYPE)
            return _SKIP
        limit = min(HARD_MAX_ITEMS if f.max_items is None else f.max_items, HARD_MAX_ITEMS)
        if len(raw) > limit:
            self.error(path, GROUP_MAX, max=limit)
            return _SKIP
        before = len(self.errors)
        entries = []
        for index, entry in enumerate(raw):
            if not isinstance(entry, Mapping):
                self.error(f"{path}[{index}]", GROUP_ENTRY)
                continue
            entries.append(self.fields(f.fields, entry, f"{path}[{index}].", scopes))
        least = max(f.min_items or 0, 1 if f.required else 0)
        if not raw and least:
            self.error(path, REQUIRED)
        elif len(raw) < least:
            self.error(path, GROUP_MIN, min=least)
        return entries if len(self.errors) == before else _SKIP

    def compute(self, f: Field, out: dict[str, Any], path: str) -> Any:
        """User input for a computed field is ignored; its function gets a copy
        of the values above it (in a group: that entry's values)."""
        function = self.ctx.computed.get(f.compute)
        if function is None:
            logger.error("computed field %s: no function %r", path, f.compute)
            self.error(path, COMPUTE_FAILED)
            return _SKIP
        try:
            return function(copy.deepcopy(out))
        except Exception:
            if self.errors:  # fields above are invalid: the function may well choke on that
                return _SKIP
            logger.exception("computed field %s (%s) failed", path, f.compute)
            self.error(path, COMPUTE_FAILED)
            return _SKIP


def find_field(form: Form, path: str) -> Field | None:
    """The declaration behind an error or input path such as "children[1].id_number"."""
    fields, found = form.fields, None
    for part in re.sub(r"\[[0-9]+\]", "", path).split("."):
        if found is not None and found.type == "address" and part in ("unit", "detail"):
            return found
        found = next((f for f in fields if f.name == part), None)
        if found is None:
            return None
        fields = found.fields
    return found
