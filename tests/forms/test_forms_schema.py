"""Loading declarations, the static check, and the message catalogue."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import msgspec
import pytest
from babel.messages.extract import extract_from_file

from core.catalog import fields as fields_module
from core.catalog.field_messages import ZH_CN_REFERENCE
from core.catalog.forms import (
    _OPTION_DEFAULTS,
    _OPTIONS,
    MESSAGES,
    Field,
    FormSchemaError,
    check_form,
    load_form,
)

from .samples import COMPUTED, EXAMPLE_TOML, MATERIALS, example_form


def schema_error(data) -> str:
    with pytest.raises(FormSchemaError) as info:
        load_form(data)
    return str(info.value)


def f(name: str = "a", type_: str = "text", **kw) -> dict:
    return {"name": name, "type": type_, "label": "标签", **kw}


# -- load_form -----------------------------------------------------------------------
def test_unknown_type_names_the_path():
    data = {"fields": [f("a"), f("b"), f("c", "colour")]}
    assert schema_error(data) == "fields[2].type: unknown field type 'colour'"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"fields": [{"name": "a", "type": "text"}]}, "fields[0].label: required but missing"),
        ({"fields": [f(colour="red")]}, "fields[0].colour: unknown option (a typo?)"),
        (
            {"fields": [f("g", "group", fields=[f("x"), f("y", "tel")])]},
            "fields[0].fields[1].type: unknown field type 'tel'",
        ),
        (
            {"fields": [f(max_length="long")]},
            "fields[0].max_length: expected `int | null`, got `str`",
        ),
        ({"fields": [f(required="yes")]}, "fields[0].required: expected `bool`, got `str`"),
        ({"fields": [f(show_if={"field": "b"})]}, "fields[0].show_if: a condition needs"),
        (
            {"fields": [f(show_if={"any_of": [{"field": "b", "equal": "x"}]})]},
            "fields[0].show_if.any_of[0].equal: unknown option (a typo?)",
        ),
        (
            {"fields": [f("c", "choice", choices=[{"value": "x"}])]},
            "fields[0].choices[0].label: required",
        ),
        ({"fields": [f(detail="maybe")]}, "fields[0].detail: invalid enum value 'maybe'"),
        ({"fields": "x"}, "fields: expected `array`, got `str`"),
        ({}, "fields: required but missing"),
        ([], "form: expected `object`, got `array`"),
        (
            {"fields": [f("d", "date", min=__import__("datetime").date(2020, 1, 1))]},
            "fields[0].min: write dates as quoted",
        ),
    ],
)
def test_load_errors_name_the_path(data, message):
    assert schema_error(data).startswith(message)


def test_schema_error_attributes():
    with pytest.raises(FormSchemaError) as info:
        load_form({"fields": [f(), f("b", "colour")]})
    assert info.value.path == "fields[1].type"
    assert info.value.problem == "unknown field type 'colour'"
    assert isinstance(info.value, ValueError)


def test_load_accepts_a_form_and_the_example_toml():
    form = example_form()
    assert load_form(form) is form
    assert {field.type for field in form.fields} == set(fields_module.FIELD_TYPES)
    assert check_form(form, materials=MATERIALS, functions=set(COMPUTED)) == []
    # round trip through JSON, as Item.fingerprint and the case store do
    again = msgspec.json.decode(msgspec.json.encode(form), type=type(form))
    assert again == form


# -- check_form ----------------------------------------------------------------------
def problems(*fields: dict, **kw) -> list[str]:
    return check_form(load_form({"fields": list(fields)}), **kw)


CHOICES = [{"value": "y", "label": "是"}, {"value": "n", "label": "否"}]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([f("a"), f("a")], "fields[1].name: duplicate field name 'a'"),
        ([f("Bad-Name")], "fields[0].name: 'Bad-Name' is not a valid name"),
        ([f("a\u200b")], "fields[0].name: 'a\\u200b' is not a valid name"),
        ([f("x", label=" ")], "fields[0].label: a field needs"),
        ([f("c", "choice")], "fields[0].choices: a choice field needs choices"),
        ([f("c", "multichoice")], "fields[0].choices: a multichoice field needs choices"),
        (
            [f("c", "choice", choices=[*CHOICES, {"value": "y", "label": "又是"}])],
            "fields[0].choices[2].value: duplicate choice 'y'",
        ),
        (
            [f("c", "choice", choices=[{"value": " y", "label": "是"}])],
            "fields[0].choices[0].value",
        ),
        (
            [f("a", show_if={"field": "zz", "equals": "1"})],
            "fields[0].show_if: refers to unknown field 'zz'",
        ),
        (
            [f("a", show_if={"field": "b", "equals": "1"}), f("b")],
            "fields[0].show_if: refers to 'b', which comes later",
        ),
        (
            [f("a", show_if={"field": "a", "not_empty": True})],
            "fields[0].show_if: the condition of 'a' refers to the field itself",
        ),
        (
            [
                f("c", "choice", choices=CHOICES),
                f("a", show_if={"field": "c", "in": ["y", "maybe"]}),
            ],
            "fields[1].show_if: 'maybe' is not one of the choices of 'c'",
        ),
        (
            [f("g", "group", fields=[f("x")]), f("a", show_if={"field": "g", "equals": "x"})],
            "fields[1].show_if: a group field such as 'g' can only be tested with not_empty",
        ),
        ([f("g", "group")], "fields[0].fields: a group needs at least one field"),
        (
            [f("u", "file", material="passport")],
            "fields[0].material: 'passport' is not one of the item's materials",
        ),
        ([f("u", "file", accept=["pdf"])], "fields[0].accept[0]: 'pdf' is not a MIME type"),
        ([f("u", "file", max_bytes=0)], "fields[0].max_bytes: must be between 1 and"),
        ([f("k", "computed", compute="nope")], "fields[0].compute: unknown function 'nope'"),
        ([f("k", "computed")], "fields[0].compute: a computed field must name its function"),
        (
            [f("k", "computed", compute="age_from_id_number", required=True)],
            "fields[0].required: a computed field",
        ),
        ([f("t", "text", choices=CHOICES)], "fields[0].choices: does not apply to a text field"),
        (
            [f("t", "id_number", max_length=5)],
            "fields[0].max_length: does not apply to a id_number field",
        ),
        ([f("t", "money", decimals=3)], "fields[0].decimals: does not apply to a money field"),
        ([f("t", "text", compute="x")], "fields[0].compute: does not apply to a text field"),
        ([f("t", "text", max_length=10**6)], "fields[0].max_length: must be between 1 and 10000"),
        (
            [f("t", "text", min_length=9, max_length=5)],
            "fields[0].min_length: must be between 0 and max_length",
        ),
        ([f("n", "number", min=5, max=1)], "fields[0]: min is greater than max"),
        ([f("n", "number", min="five")], "fields[0].min: 'five' is not a number"),
        ([f("n", "number", max=1e20)], "fields[0].max: 1e+20 is not a number"),
        ([f("n", "number", decimals=9)], "fields[0].decimals: must be between 0 and 6"),
        ([f("m", "money", min=-1)], "fields[0].min: money cannot be negative"),
        ([f("d", "date", max="tomorrow")], "fields[0].max: 'tomorrow' is not a date"),
        ([f("d", "date", min="2020-02-30")], "fields[0].min: '2020-02-30' is not a date"),
        ([f("d", "date", min="2021-01-01", max="2020-01-01")], "fields[0]: min is later than max"),
        (
            [f("c", "multichoice", choices=CHOICES, min_items=3)],
            "fields[0].min_items: must be between 0 and 2",
        ),
        (
            [f("g", "group", fields=[f("x")], min_items=3, max_items=2)],
            "fields[0]: min_items is greater than max_items",
        ),
        (
            [f("g", "group", fields=[f("x")], max_items=10**6)],
            "fields[0].max_items: must be between 0 and 500",
        ),
        (
            [f("g", "group", fields=[f("x"), f("x")])],
            "fields[0].fields[1].name: duplicate field name 'x'",
        ),
        (
            [
                f("g", "group", fields=[f("x", show_if={"field": "later", "not_empty": True})]),
                f("later"),
            ],
            "fields[0].fields[0].show_if: refers to unknown field 'later'",
        ),
        (
            [
                f(
                    "g",
                    "group",
                    fields=[
                        f(
                            "g2",
                            "group",
                            fields=[f("g3", "group", fields=[f("g4", "group", fields=[f("x")])])],
                        )
                    ],
                )
            ],
            "fields[0].fields[0].fields[0].fields[0]: groups can be nested at most 3 deep",
        ),
    ],
)
def test_check_form_problems(fields, expected):
    found = problems(*fields, materials=MATERIALS, functions=set(COMPUTED))
    assert any(p.startswith(expected) for p in found), found


def test_check_form_accepts_scoped_conditions():
    ok = problems(
        f("top", "choice", choices=CHOICES),
        f(
            "g",
            "group",
            fields=[
                f("x", show_if={"field": "top", "equals": "y"}),  # an enclosing field above
                f("y", show_if={"field": "x", "not_empty": True}),  # a sibling above
            ],
        ),
        f("after", show_if={"field": "g", "not_empty": True}),
    )
    assert ok == []


def test_check_form_without_fields_and_optional_checks():
    assert check_form(load_form({"fields": []})) == ["fields: a form needs at least one field"]
    # materials / functions unknown: those checks are skipped
    assert problems(f("u", "file", material="anything"), f("k", "computed", compute="any")) == []


def test_option_table_matches_field_defaults():
    declared = {info.name for info in msgspec.structs.fields(Field)}
    assert set(_OPTION_DEFAULTS) <= declared
    assert set(_OPTIONS) == set(fields_module.FIELD_TYPES)
    common = {"name", "type", "label", "label_en", "help", "help_en", "required", "show_if"}
    assert declared - common == set(_OPTION_DEFAULTS)  # every type-specific option is policed


# -- messages ------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_msgid_has_chinese_with_the_same_placeholders():
    assert len(MESSAGES) == len(set(MESSAGES))
    assert set(ZH_CN_REFERENCE) == set(MESSAGES)
    for msgid, zh in ZH_CN_REFERENCE.items():
        assert sorted(PLACEHOLDER.findall(msgid)) == sorted(PLACEHOLDER.findall(zh)), msgid
        assert re.search(r"[\u4e00-\u9fff]", zh), msgid


def test_msgids_are_extractable_by_babel():
    path = Path(fields_module.__file__)
    extracted = {
        msg
        for _line, msg, _comments, _ctx in extract_from_file("python", path, keywords={"N_": None})
    }
    assert set(MESSAGES) <= extracted


def test_example_toml_parses_as_plain_toml():
    assert tomllib.loads(EXAMPLE_TOML.read_text(encoding="utf-8"))["fields"]
