"""Conditions, repeating groups, computed fields, the live check and HTML form data."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec
import pytest

from core.catalog import fields as m
from core.catalog.conditions import Condition, evaluate
from core.catalog.forms import FieldError, FormResult, find_field, load_form, parse_html_form

from .samples import (
    COMPUTED,
    FILES,
    UNITS,
    VALID_ID,
    VALID_USCC,
    example_form,
    make_id,
    run,
)

YES_NO = [{"value": "y", "label": "是"}, {"value": "n", "label": "否"}]


def form_of(*fields: dict):
    return load_form({"fields": list(fields)})


def text(name: str, **kw) -> dict:
    return {"name": name, "type": "text", "label": name, **kw}


# -- conditions --------------------------------------------------------------------
MARRIAGE = form_of(
    {"name": "married", "type": "choice", "label": "婚否", "choices": YES_NO},
    text("spouse", required=True, show_if={"field": "married", "equals": "y"}),
    text("spouse_work", show_if={"field": "spouse", "not_empty": True}),
)


def test_hidden_field_is_neither_required_nor_kept():
    result = run(MARRIAGE, {"married": "n", "spouse": "<b>x</b>", "spouse_work": "厂"})
    assert result.ok
    assert result.values == {"married": "n"}


def test_shown_field_is_required_and_kept():
    result = run(MARRIAGE, {"married": "y"})
    assert [(e.path, e.message) for e in result.errors] == [("spouse", m.REQUIRED)]
    result = run(MARRIAGE, {"married": "y", "spouse": "李四", "spouse_work": "厂"})
    assert result.values == {"married": "y", "spouse": "李四", "spouse_work": "厂"}


def test_hiding_cascades_and_invalid_values_count_as_absent():
    # spouse hidden -> spouse_work (not_empty on spouse) hidden too
    assert "spouse_work" not in run(MARRIAGE, {"married": "n", "spouse_work": "x"}).values
    # an invalid controlling value does not show its dependants
    result = run(MARRIAGE, {"married": "maybe", "spouse": "x"})
    assert [e.path for e in result.errors] == ["married"]
    assert result.values == {}


def test_in_any_of_all_of_and_multichoice():
    form = form_of(
        {
            "name": "tags",
            "type": "multichoice",
            "label": "t",
            "choices": [{"value": v, "label": v} for v in "abc"],
        },
        {"name": "n", "type": "number", "label": "n"},
        text("if_a", show_if={"field": "tags", "equals": "a"}),
        text("if_bc", show_if={"field": "tags", "in": ["b", "c"]}),
        text("if_3", show_if={"field": "n", "equals": "3"}),
        text(
            "any",
            show_if={"any_of": [{"field": "n", "in": [1, 2]}, {"field": "tags", "equals": "c"}]},
        ),
        text(
            "all",
            show_if={"all_of": [{"field": "n", "equals": 3}, {"field": "tags", "not_empty": True}]},
        ),
    )
    data = {k: "v" for k in ("if_a", "if_bc", "if_3", "any", "all")}
    shown = lambda **kw: set(run(form, {**data, **kw}).values) - {"tags", "n"}  # noqa: E731
    assert shown(tags=["a"], n="3") == {"if_a", "if_3", "all"}
    assert shown(tags=["c"], n="1") == {"if_bc", "any"}
    assert shown(tags=[], n="2") == {"any"}
    assert shown(n="３") == {"if_3"}


def test_condition_matching_rules():
    values = {"s": "3", "d": Decimal("3.00"), "b": True, "day": date(2024, 1, 2), "none": None}
    look = values.get
    assert evaluate(Condition(field="s", equals=3), look)
    assert evaluate(Condition(field="d", equals="3"), look)
    assert evaluate(Condition(field="d", equals=3.0), look)
    assert not evaluate(Condition(field="d", equals="abc"), look)
    assert not evaluate(Condition(field="d", equals="sNaN"), look)
    assert evaluate(Condition(field="b", equals=True), look)
    assert not evaluate(Condition(field="b", equals=1), look)
    assert not evaluate(Condition(field="s", equals=True), look)
    assert evaluate(Condition(field="day", equals="2024-01-02"), look)
    assert not evaluate(Condition(field="none", equals="None"), look)
    assert not evaluate(Condition(field="missing", not_empty=True), look)


@pytest.mark.parametrize(
    "shape",
    [
        {"field": "a"},
        {"field": "a", "equals": "x", "in": ["x"]},
        {"field": "a", "not_empty": False},
        {"field": "a", "in": []},
        {"equals": "x"},
        {"any_of": []},
        {"any_of": [{"field": "a", "equals": "x"}], "field": "a"},
        {"any_of": [{"field": "a", "equals": "x"}], "all_of": [{"field": "a", "equals": "x"}]},
    ],
)
def test_malformed_condition_is_a_schema_error(shape):
    with pytest.raises(ValueError, match="a condition needs"):
        msgspec.convert(shape, Condition)


# -- groups ------------------------------------------------------------------------
CHILDREN = form_of(
    {"name": "applicant", "type": "choice", "label": "a", "choices": YES_NO},
    {
        "name": "children",
        "type": "group",
        "label": "子女",
        "min_items": 1,
        "max_items": 3,
        "fields": [
            text("name", required=True, max_length=10),
            {"name": "id_number", "type": "id_number", "label": "身份证", "required": True},
            text("school", show_if={"field": "name", "equals": "小明"}),
            text("for_yes", show_if={"field": "applicant", "equals": "y"}),
        ],
    },
)


def test_group_values_and_paths():
    kid = make_id(born=date(2015, 3, 3))
    data = {
        "applicant": "y",
        "children": [
            {"name": "小明", "id_number": kid.lower(), "school": "一小", "for_yes": "ok"},
            {"name": "小红", "id_number": "123", "school": "dropped"},
            {"id_number": kid},
        ],
    }
    result = run(CHILDREN, data)
    assert [(e.path, e.message) for e in result.errors] == [
        ("children[1].id_number", m.ID_INVALID),
        ("children[2].name", m.REQUIRED),
    ]
    assert "children" not in result.values  # a group with errors has no value
    data["children"] = data["children"][:1] + [{"name": "小红", "id_number": kid, "school": "x"}]
    result = run(CHILDREN, data)
    assert result.ok
    assert result.values["children"] == [
        {"name": "小明", "id_number": kid, "school": "一小", "for_yes": "ok"},
        {"name": "小红", "id_number": kid, "for_yes": None},
    ]


def test_group_counts_and_shapes():
    kid = {"name": "甲", "id_number": VALID_ID}
    errors = lambda data: [(e.path, e.message) for e in run(CHILDREN, data).errors]  # noqa: E731
    assert errors({}) == [("children", m.REQUIRED)]
    assert errors({"children": []}) == [("children", m.REQUIRED)]
    assert errors({"children": [kid] * 4}) == [("children", m.GROUP_MAX)]
    assert errors({"children": [kid] * 1_000_000}) == [("children", m.GROUP_MAX)]
    assert errors({"children": "小明"}) == [("children", m.WRONG_TYPE)]
    assert errors({"children": {"0": kid}}) == [("children", m.WRONG_TYPE)]
    assert errors({"children": [kid, "junk", None]}) == [
        ("children[1]", m.GROUP_ENTRY),
        ("children[2]", m.GROUP_ENTRY),
    ]
    two = form_of(
        {"name": "g", "type": "group", "label": "g", "min_items": 2, "fields": [text("a")]}
    )
    result = run(two, {"g": [{"a": "x"}]})
    assert [(e.message, e.params) for e in result.errors] == [(m.GROUP_MIN, {"min": 2})]
    optional = form_of({"name": "g", "type": "group", "label": "g", "fields": [text("a")]})
    assert run(optional, {}).values == {"g": []}


def test_nested_group_paths():
    form = form_of(
        {
            "name": "households",
            "type": "group",
            "label": "户",
            "fields": [
                {
                    "name": "members",
                    "type": "group",
                    "label": "人",
                    "fields": [{"name": "phone", "type": "mobile", "label": "电话"}],
                }
            ],
        }
    )
    data = {
        "households": [{"members": []}, {"members": [{"phone": "1"}, {"phone": "13800138000"}]}]
    }
    result = run(form, data)
    assert [e.path for e in result.errors] == ["households[1].members[0].phone"]
    data["households"][1]["members"][0]["phone"] = "+8613900139000"
    assert run(form, data).values["households"][1]["members"][0] == {"phone": "13900139000"}


# -- computed ----------------------------------------------------------------------
def test_computed_gets_cleaned_values_above_and_ignores_input():
    seen = {}

    def total(values):
        seen.update(values)
        values["price"] = "mutated"  # a copy: must not leak back
        return values["price_cents"] * 2 if "price_cents" in values else values["count"] * 2

    form = form_of(
        {"name": "count", "type": "number", "label": "数量"},
        {"name": "double", "type": "computed", "label": "二倍", "compute": "total"},
        {"name": "price", "type": "money", "label": "价"},
        {"name": "ok", "type": "computed", "label": "对", "compute": "is_big"},
        text("big_note", required=True, show_if={"field": "ok", "equals": True}),
    )
    functions = {"total": total, "is_big": lambda v: v["price"] > 100}
    result = run(form, {"count": "２１", "double": "999", "price": "150"}, computed=functions)
    assert seen == {"count": 21}
    assert result.values["double"] == 42
    assert result.values["price"] == Decimal("150.00")
    assert [e.path for e in result.errors] == ["big_note"]
    result = run(form, {"count": "1", "price": "5"}, computed=functions)
    assert result.ok and result.values["ok"] is False and "big_note" not in result.values


def test_computed_failures():
    form = form_of(
        {"name": "n", "type": "number", "label": "n"},
        {"name": "c", "type": "computed", "label": "c", "compute": "boom"},
    )
    boom = {"boom": lambda v: 1 / 0}
    assert [(e.path, e.message) for e in run(form, {"n": "1"}, computed=boom).errors] == [
        ("c", m.COMPUTE_FAILED)
    ]
    # a field above is already wrong: the function's failure adds no noise
    assert [e.path for e in run(form, {"n": "x"}, computed=boom).errors] == ["n"]
    assert [e.message for e in run(form, {"n": "1"}).errors] == [m.COMPUTE_FAILED]


def test_computed_inside_group_sees_its_entry():
    form = form_of(
        {
            "name": "rows",
            "type": "group",
            "label": "行",
            "fields": [
                {"name": "a", "type": "number", "label": "a"},
                {"name": "sq", "type": "computed", "label": "sq", "compute": "square"},
            ],
        }
    )
    result = run(form, {"rows": [{"a": 2}, {"a": 3}]}, computed={"square": lambda v: v["a"] ** 2})
    assert result.values == {"rows": [{"a": 2, "sq": 4}, {"a": 3, "sq": 9}]}


# -- the live check (only=) ---------------------------------------------------------
def test_only_reports_one_path_but_reads_everything():
    data = {"applicant": "bad", "children": [{"name": "甲"}, {"name": "乙" * 11}] + [{}] * 9}
    result = run(CHILDREN, data)
    assert {e.path for e in result.errors} == {"applicant", "children"}
    data["children"] = data["children"][:3]
    only = run(CHILDREN, data, only="children[1].name")
    assert [(e.path, e.message) for e in only.errors] == [("children[1].name", m.TOO_LONG)]
    assert {e.path for e in run(CHILDREN, data, only="children[1]").errors} == {
        "children[1].name",
        "children[1].id_number",
    }
    assert run(CHILDREN, data, only="children[2].school").ok
    assert run(CHILDREN, data, only="no_such_field").ok
    # conditions still see the other fields
    assert run(MARRIAGE, {"married": "y"}, only="spouse").errors[0].message == m.REQUIRED
    assert run(MARRIAGE, {"married": "n"}, only="spouse").ok


def test_only_does_not_match_longer_siblings():
    rows = form_of(
        {"name": "g", "type": "group", "label": "g", "fields": [text("a", required=True)]}
    )
    data = {"g": [{}] * 12}
    assert [e.path for e in run(rows, data, only="g[1]").errors] == ["g[1].a"]
    assert [e.path for e in run(rows, data, only="g[1].a").errors] == ["g[1].a"]
    assert len(run(rows, data, only="g").errors) == 12


# -- whole-form behaviour -----------------------------------------------------------
@pytest.mark.parametrize("data", [None, [], "x", 3, [("a", "b")]])
def test_non_mapping_submission(data):
    result = run(MARRIAGE, data)
    assert not result.ok
    assert result.errors[0] == FieldError(path="", message=m.MALFORMED, params={})


def test_unknown_names_are_ignored_and_result_helpers():
    result = run(MARRIAGE, {"married": "y", "__proto__": {"x": 1}, "constructor": "x"})
    assert set(result.values) == {"married"}
    assert isinstance(result, FormResult)
    by_path = result.errors_by_path()
    assert list(by_path) == ["spouse"] and by_path["spouse"][0].message == m.REQUIRED


def test_error_translation_fills_params():
    error = FieldError(path="x", message=m.VALUE_MAX, params={"max": "5"})
    assert error.translate("en") == "Ensure this value is at most 5"
    assert "5" in error.translate("zh_CN")


def test_example_form_end_to_end():
    form = example_form()
    data = parse_html_form(
        [
            ("applicant_name", "王五"),
            ("id_number", VALID_ID.lower()),
            ("phone", "138 0013 8000"),
            ("age", "3"),  # computed: ignored
            ("birth_date", "1980-05-17"),
            ("marital_status", "married"),
            ("spouse_id_number", make_id(born=date(1982, 1, 1))),
            ("hardships", "unemployed"),
            ("hardships", "illness"),
            ("hardship_note", "<p>说明</p>"),
            ("household_size", "３"),
            ("housing_area", "75.5"),
            ("monthly_income", "2,500"),
            ("employer_code", VALID_USCC.lower()),
            ("home.unit", "110105001001"),
            ("home.detail", "幸福里 1 号"),
            ("id_card_copy", "photo1"),
            ("members[0].name", "王小五"),
            ("members[0].relation", "child"),
            ("members[0].id_number", make_id(born=date(2012, 2, 2))),
            ("members[0].school", "一小"),
            ("members[7].name", "赵六"),
            ("members[7].relation", "spouse"),
            ("members[7].id_number", make_id(born=date(1982, 1, 1))),
            ("members[7].school", "hidden"),
        ]
    )
    result = run(form, data, computed=COMPUTED, files=FILES, known_unit_codes=UNITS)
    assert result.errors == []
    v = result.values
    assert v["age"] == 44 and v["id_number"] == VALID_ID and v["phone"] == "13800138000"
    assert v["hardships"] == ["illness", "unemployed"]
    assert v["household_size"] == 3 and v["housing_area"] == Decimal("75.50")
    assert v["monthly_income"] == Decimal("2500.00") and v["birth_date"] == date(1980, 5, 17)
    assert v["employer_code"] == VALID_USCC
    assert v["home"] == {"unit": "110105001001", "detail": "幸福里 1 号"}
    assert [row.get("school") for row in v["members"]] == ["一小", None]
    assert "school" not in v["members"][1]
    assert msgspec.json.decode(msgspec.json.encode(v))["monthly_income"] == "2500.00"
    # re-validating the cleaned values gives the same values
    again = run(form, v, computed=COMPUTED, files=FILES, known_unit_codes=UNITS)
    assert again.ok and again.values == v


def test_find_field():
    form = example_form()
    assert find_field(form, "members[3].id_number").label == "公民身份号码"
    assert find_field(form, "home.detail").name == "home"
    assert find_field(form, "members") is not None
    assert find_field(form, "nope") is None
    assert find_field(form, "members[0].nope") is None


# -- parse_html_form ----------------------------------------------------------------
def test_parse_html_form_shapes():
    pairs = [
        ("name", "张三"),
        ("tags", "a"),
        ("tags", "b"),
        ("home.unit", "110105001001"),
        ("home.detail", "1号"),
        ("kids[5].name", "乙"),
        ("kids[0].name", "甲"),
        ("kids[0].tags", "x"),
        ("kids[0].tags", "y"),
        ("a[0].b[2].c", "deep"),
    ]
    assert parse_html_form(pairs) == {
        "name": "张三",
        "tags": ["a", "b"],
        "home": {"unit": "110105001001", "detail": "1号"},
        "kids": [{"name": "甲", "tags": ["x", "y"]}, {"name": "乙"}],
        "a": [{"b": [{"c": "deep"}]}],
    }


def test_parse_html_form_hostile_keys():
    pairs = [
        ("x", "1"),
        ("x.y", "clash"),  # x already a value: dropped
        ("g[0]", "v"),
        ("g.k", "clash"),  # g already a list
        ("big[99999].a", "kept flat"),
        ("_csrf", "t"),
        ("Name", "upper"),
        ("a..b", "v"),
        ("k" * 300, "too long"),
        ("n[0", "v"),
        ("ok", 5),  # not a string: skipped (uploads come by id)
        ("only_one",),
        "pair",
        None,
    ]
    assert parse_html_form(pairs) == {
        "x": "1",
        "g": ["v"],
        "big[99999].a": "kept flat",
        "_csrf": "t",
        "Name": "upper",
        "a..b": "v",
        "n[0": "v",
    }
    assert parse_html_form({"a": "1", "b.c": "2"}) == {"a": "1", "b": {"c": "2"}}
    many = ((f"r[{i % 10000}].v", "x") for i in range(10**6))
    assert len(parse_html_form(many)["r"]) == 10_000
