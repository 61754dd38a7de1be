"""Property tests: the validator never raises, and never accepts what the schema forbids."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidComponent

from core.catalog import fields as m
from core.catalog.conditions import evaluate
from core.catalog.forms import MESSAGES, FileInfo, Form, load_form, parse_html_form, validate

from .samples import COMPUTED, FILES, TODAY, UNITS, example_form, make_id, make_uscc

QUICK = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- forms under test ------------------------------------------------------------------
CHOICES = [{"value": v, "label": v} for v in ("person", "org", "other")]
STRICT = load_form(
    {
        "fields": [
            {"name": "name", "type": "text", "label": "名", "required": True, "max_length": 20},
            {"name": "idn", "type": "id_number", "label": "证", "required": True},
            {"name": "amount", "type": "money", "label": "额", "required": True, "min": 1, "max": 5000},
            {"name": "count", "type": "number", "label": "数", "min": 1, "max": 10},
            {"name": "ratio", "type": "number", "label": "比", "decimals": 2, "min": -1, "max": 1},
            {"name": "born", "type": "date", "label": "日", "min": "1900-01-01", "max": "today"},
            {"name": "kind", "type": "choice", "label": "类", "required": True, "choices": CHOICES},
            {"name": "tags", "type": "multichoice", "label": "签", "choices": CHOICES, "min_items": 1, "max_items": 2},
            {"name": "phone", "type": "mobile", "label": "电", "required": True, "show_if": {"field": "kind", "equals": "person"}},
            {"name": "org", "type": "uscc", "label": "码", "required": True, "show_if": {"field": "kind", "in": ["org"]}},
            {"name": "home", "type": "address", "label": "址", "detail": "required"},
            {"name": "scan", "type": "file", "label": "件", "accept": ["image/*"], "max_bytes": 200_000},
            {
                "name": "members",
                "type": "group",
                "label": "员",
                "max_items": 3,
                "fields": [
                    {"name": "name", "type": "text", "label": "名", "required": True, "max_length": 5},
                    {"name": "idn", "type": "id_number", "label": "证", "required": True},
                ],
            },
        ]
    }
)  # fmt: skip
EXAMPLE = example_form()
FORMS: list[Form] = [STRICT, EXAMPLE]
NAMES = sorted(
    {f.name for form in FORMS for f in form.fields}
    | {s.name for form in FORMS for f in form.fields for s in f.fields}
    | {"unit", "detail", "x"}
)
FILE_MAP = {
    **FILES,
    "big": FileInfo("image/png", 10**9, "big.png"),
    "evil": FileInfo("image/png", 10, "../../x.png"),
    "exe": FileInfo("image/png", 10, "x.exe"),
}

# -- arbitrary JSON-like data -------------------------------------------------------------
NASTY = st.sampled_from(
    [
        "NaN", "-Infinity", "1e999", "１２３", "٣", "\u202e", "\x00", "\ud800", "9" * 40, "-0",
        "¥", "元", "2024-02-30", "today", "../etc/passwd", "photo1", "big", "evil", "exe",
        "11010519491231002x", "+8613800138000", "91110000600037341L", "110105001001",
        "person", "org", "<script>alert(1)</script>", "%(max)s", "{0}", "\u3000",
    ]
) | st.integers(2_000, 12_000).map(lambda n: "长" * n)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(exclude_categories=()), max_size=30)
    | NASTY
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=4), inner, max_size=5)
    ),
    max_leaves=25,
)
DATA = st.dictionaries(st.sampled_from(NAMES) | st.text(max_size=6), JSON, max_size=12)
ANY_DATA = DATA | JSON


def sane_result(result) -> None:
    for error in result.errors:
        assert error.message in MESSAGES, error
        assert error.message != m.INTERNAL, error  # no cleaner crashed
        assert all(isinstance(v, str | int) for v in error.params.values()), error
        assert error.message % error.params  # placeholders are all filled
    assert result.ok == (not result.errors)
    msgspec.json.encode(result.values)  # storable: no NaN, no surrogates, no odd types


@QUICK
@given(form=st.sampled_from(FORMS), data=ANY_DATA, only=st.none() | st.sampled_from(NAMES))
def test_validate_never_raises(form, data, only):
    result = validate(
        form,
        data,
        computed=COMPUTED,
        files=FILE_MAP,
        known_unit_codes=UNITS,
        only=only,
        today=TODAY,
    )
    sane_result(result)


@QUICK
@given(form=st.sampled_from(FORMS), data=ANY_DATA)
def test_validate_never_raises_without_context(form, data):
    sane_result(validate(form, data))  # no files, units, functions or today given


@QUICK
@given(
    pairs=st.lists(
        st.tuples(
            st.sampled_from(["members[0].name", "members[12].idn", "tags", "home.unit", "a.b[1]"])
            | st.text(st.characters(exclude_categories=()), max_size=20),
            st.text(st.characters(exclude_categories=()), max_size=10),
        ),
        max_size=30,
    )
)
def test_parse_html_form_never_raises(pairs):
    parsed = parse_html_form(pairs)
    sane_result(validate(STRICT, parsed, files=FILE_MAP, today=TODAY))


# -- soundness: what is accepted obeys the schema -----------------------------------------
REGIONS = ["110105", "360426", "310115", "110104", "440305", "110105", "999999"]
BIRTHS = st.dates(min_value=date(1890, 1, 1), max_value=date(2030, 1, 1))
GOOD_IDS = st.builds(make_id, st.sampled_from(REGIONS), BIRTHS, st.integers(0, 999))


def spoil(s: str, draw) -> str:
    i = draw(st.integers(0, len(s) - 1))
    return s[:i] + draw(st.sampled_from("0123456789Xx -\u200b")) + s[i + 1 :]


def decorate(s: str, draw) -> str:
    """The ways people really type a number: lower case, spaces, full width."""
    how = draw(st.sampled_from(["plain", "lower", "spaced", "fullwidth"]))
    if how == "lower":
        return s.lower()
    if how == "spaced":
        return f" {s[:6]} {s[6:]} "
    if how == "fullwidth":
        return "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in s)
    return s


@st.composite
def id_numbers(draw):
    """Mostly well-formed numbers (so that acceptance is exercised), some spoilt."""
    base = draw(GOOD_IDS)
    kind = draw(st.integers(0, 3))
    if kind == 0:
        return decorate(base, draw)
    if kind == 1:
        return spoil(base, draw)
    if kind == 2:
        return draw(st.text("0123456789Xx", min_size=15, max_size=19))
    return draw(JSON)


# Near-valid values per field: mostly acceptable, with the boundaries crossed.
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80)
NEAR_BIRTHS = st.dates(min_value=date(1898, 1, 1), max_value=date(2024, 12, 31))
NEAR = {
    "name": st.text(CJK, min_size=1, max_size=22),
    "idn": st.builds(make_id, st.sampled_from(REGIONS), NEAR_BIRTHS, st.integers(0, 999)),
    "amount": st.decimals(min_value="0.99", max_value="5000.01", places=2).map(str),
    "count": st.integers(0, 11) | st.integers(0, 11).map(str),
    "ratio": st.decimals(min_value="-1.2", max_value="1.2", places=2).map(str),
    "born": NEAR_BIRTHS.map(date.isoformat),
    "kind": st.sampled_from(["person", "org", "other"]),
    "tags": st.lists(st.sampled_from(["person", "org", "other"]), min_size=1, max_size=3),
    "phone": st.from_regex(r"(\+86 ?)?1[1-9][0-9]{9}", fullmatch=True),
    "org": st.builds(make_uscc, st.from_regex(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{9}", fullmatch=True)),
    "home": st.fixed_dictionaries({"unit": st.sampled_from([*sorted(UNITS), "999999999999"]), "detail": st.text(CJK, min_size=1, max_size=5)}),
    "scan": st.sampled_from(["photo1", "photo1", "photo1", "scan2", "big", "evil"]),
    "members": st.lists(st.fixed_dictionaries({"name": st.text(CJK, min_size=1, max_size=6), "idn": st.builds(make_id, st.sampled_from(REGIONS), NEAR_BIRTHS)}), max_size=4),
}  # fmt: skip
# Hostile values per field: near-valid ones, typing variations, and junk of every kind.
NOISY = {
    **{name: strategy | JSON for name, strategy in NEAR.items()},
    "name": st.text(st.characters(exclude_categories=()), max_size=25) | JSON,
    "idn": id_numbers(),
    "amount": NEAR["amount"] | st.decimals(min_value=-10, max_value=6000, places=3).map(str)
    | st.floats(min_value=-1, max_value=6000).map(lambda x: round(x, 3))
    | st.text("0123456789.,-¥元 ", max_size=10) | JSON,
    "count": NEAR["count"] | st.decimals(-2, 2, places=3).map(str) | JSON,
    "tags": NEAR["tags"] | st.lists(st.sampled_from(["person", "bad", ""]), max_size=4) | JSON,
    "phone": NEAR["phone"] | st.text("0123456789+ -", max_size=16) | JSON,
    "org": NEAR["org"] | st.from_regex(r"[0-9A-Z]{17,19}", fullmatch=True) | JSON,
    "members": st.lists(st.fixed_dictionaries({}, optional={"name": st.text(max_size=7) | JSON, "idn": id_numbers()}) | JSON, max_size=4) | JSON,
}  # fmt: skip
NEAR_VALID_DATA = st.fixed_dictionaries(NEAR)
STRICT_DATA = st.fixed_dictionaries({}, optional=NOISY)


def assert_valid_id(v) -> None:
    assert isinstance(v, str) and re.fullmatch(r"[0-9]{17}[0-9X]", v)
    assert ric.calc_check_digit(v) == v[-1]
    born = ric.get_birth_date(v)  # raises on an impossible date
    assert date(1900, 1, 1) <= born <= TODAY
    try:
        ric.validate(v)
    except InvalidComponent:
        # the one deliberate difference: a county created after the birth year
        county = dict(p for _part, props in numdb.get("cn/loc").info(v[:6]) for p in props.items())[
            "county"
        ]
        assert county.startswith("[") and int(county[1:5]) > born.year


def assert_clean_text(v, limit: int) -> None:
    assert isinstance(v, str) and 0 < len(v) <= limit and v == v.strip()
    assert not any(unicodedata.category(c) in ("Cc", "Cs") for c in v)


@QUICK
@given(data=STRICT_DATA)
def test_accepted_hostile_values_obey_the_schema(data):
    check_soundness(data)


@QUICK
@given(data=NEAR_VALID_DATA)
def test_accepted_near_valid_values_obey_the_schema(data):
    check_soundness(data)


def check_soundness(data: dict) -> None:
    result = validate(STRICT, data, files=FILE_MAP, known_unit_codes=UNITS, today=TODAY)
    sane_result(result)
    v = result.values
    if "name" in v:
        assert_clean_text(v["name"], 20)
    if "idn" in v:
        assert_valid_id(v["idn"])
    if "amount" in v:
        amount = v["amount"]
        assert isinstance(amount, Decimal) and amount.as_tuple().exponent == -2
        assert Decimal(1) <= amount <= Decimal(5000)
    if v.get("count") is not None:
        assert type(v["count"]) is int and 1 <= v["count"] <= 10
    if v.get("ratio") is not None:
        assert isinstance(v["ratio"], Decimal) and v["ratio"].as_tuple().exponent == -2
        assert -1 <= v["ratio"] <= 1
    if v.get("born") is not None:
        assert isinstance(v["born"], date) and date(1900, 1, 1) <= v["born"] <= TODAY
    if "kind" in v:
        assert v["kind"] in {"person", "org", "other"}
    if "tags" in v:
        tags = v["tags"]
        assert 1 <= len(tags) <= 2 and len(set(tags)) == len(tags)
        assert set(tags) <= {"person", "org", "other"}
    if "phone" in v:
        assert re.fullmatch(r"1[3-9][0-9]{9}", v["phone"])
        assert v.get("kind") == "person"
    if "org" in v:
        code = v["org"]
        assert re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}", code)
        assert uscc.calc_check_digit(code) == code[-1]
        if code[:8].isdigit():
            assert uscc.is_valid(code)
    if v.get("home") is not None:
        assert v["home"]["unit"] in UNITS and v["home"]["detail"]
    if v.get("scan") is not None:
        info = FILE_MAP[v["scan"]]
        assert info.content_type.startswith("image/") and 0 < info.size <= 200_000
    for member in v.get("members", []):
        assert_clean_text(member["name"], 5)
        assert_valid_id(member["idn"])

    if result.ok:
        # every visible required field is there, every hidden one is gone
        for field in STRICT.fields:
            visible = field.show_if is None or evaluate(field.show_if, v.get)
            if not visible:
                assert field.name not in v
            elif field.required:
                assert v.get(field.name) not in (None, "", [])
        # cleaning is idempotent
        again = validate(STRICT, v, files=FILE_MAP, known_unit_codes=UNITS, today=TODAY)
        assert again.ok and again.values == v
