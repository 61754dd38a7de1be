"""Shared forms, values and helpers for the form tests."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from stdnum.cn import ric, uscc

from core.catalog.forms import FileInfo, Form, FormResult, load_form, validate

TODAY = date(2024, 6, 15)
EXAMPLE_TOML = Path(__file__).with_name("example_form.toml")
MATERIALS = {"id_card", "household_register"}
UNITS = {"110105001001", "110105001002", "360426100200"}


def make_id(region: str = "110105", born: date = date(1980, 5, 17), seq: int = 123) -> str:
    """A resident ID with a correct check digit."""
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(body: str) -> str:
    """A unified social credit code with a correct check character."""
    return body + uscc.calc_check_digit(body + "0")


VALID_ID = make_id()  # 110105198005171234-ish, born 1980-05-17
VALID_USCC = "91110000600037341L"
FILES = {
    "photo1": FileInfo(content_type="image/jpeg", size=120_000, filename="身份证.jpg"),
    "scan2": FileInfo(content_type="application/pdf", size=800_000, filename="scan.pdf"),
}


def age_from_id_number(values: dict) -> int | None:
    """The example's computed function: age on TODAY from the ID's birth date."""
    number = values.get("id_number")
    if not number:
        return None
    born = ric.get_birth_date(number)
    return TODAY.year - born.year - ((TODAY.month, TODAY.day) < (born.month, born.day))


COMPUTED = {"age_from_id_number": age_from_id_number}


def example_form() -> Form:
    return load_form(tomllib.loads(EXAMPLE_TOML.read_text(encoding="utf-8")))


def one(type_: str, **options: Any) -> Form:
    """A form with a single field "x" of the given type."""
    return load_form({"fields": [{"name": "x", "type": type_, "label": "某项", **options}]})


def run(form: Form, data: Any, **kw: Any) -> FormResult:
    kw.setdefault("today", TODAY)
    return validate(form, data, **kw)


def clean(form: Form, value: Any, **kw: Any) -> tuple[Any, list[str]]:
    """(cleaned value of "x" or the string "<absent>", msgids of the errors)."""
    result = run(form, {"x": value}, **kw)
    return result.values.get("x", "<absent>"), [e.message for e in result.errors]
