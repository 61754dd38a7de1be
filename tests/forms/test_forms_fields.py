"""Valid, invalid and hostile values for every field type."""

from __future__ import annotations

import time
from datetime import date, datetime
from decimal import Decimal

import pytest
from stdnum.cn import ric, uscc

from core.catalog import fields as m
from core.catalog.forms import FileInfo

from .samples import FILES, TODAY, UNITS, VALID_USCC, clean, make_id, make_uscc, one, run

FULLWIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


# -- text / textarea -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("张三", "张三"),
        ("  padded\t ", "padded"),
        ("<script>alert('x')</script>", "<script>alert('x')</script>"),  # kept as plain text
        ("&lt;b&gt; O'Brien; DROP TABLE", "&lt;b&gt; O'Brien; DROP TABLE"),
        ("ＡＢＣ，全角", "ＡＢＣ，全角"),  # free text is not NFKC-folded
        ("\uf92c", "\uf92c"),  # a CJK compatibility ideograph stays itself
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # zero-width joiners are fine in text
        (12345, "12345"),
    ],
)
def test_text_valid(value, expected):
    assert clean(one("text"), value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("a" * 201, m.TOO_LONG),
        ("a\nb", m.CONTROL_CHARS),
        ("nul\x00byte", m.CONTROL_CHARS),
        ("bell\x07", m.CONTROL_CHARS),
        ("\ud800 lone surrogate", m.CONTROL_CHARS),
        ("line\u2028sep", m.CONTROL_CHARS),
        ("abc\u202edcba", m.INVISIBLE_CHARS),
        ("isolate\u2067x", m.INVISIBLE_CHARS),
        (["a", "b"], m.WRONG_TYPE),
        ({"a": "b"}, m.WRONG_TYPE),
        (True, m.WRONG_TYPE),
        (1.5, m.WRONG_TYPE),
        (10**400, m.WRONG_TYPE),
    ],
)
def test_text_invalid(value, msgid):
    assert clean(one("text"), value) == ("<absent>", [msgid])


def test_text_length_params_and_limits():
    result = run(one("text", max_length=5), {"x": "六个汉字汉字"})
    assert result.errors[0].params == {"max": 5, "length": 6}
    assert clean(one("text", max_length=5), "五个汉字字") == ("五个汉字字", [])
    assert clean(one("text", min_length=2), "一") == ("<absent>", [m.TOO_SHORT])
    assert clean(one("textarea"), "a" * 2000)[1] == []
    assert clean(one("textarea"), "a" * 2001)[1] == [m.TOO_LONG]


def test_huge_string_is_rejected_fast():
    started = time.perf_counter()
    for type_ in ("text", "textarea", "number", "money", "date", "id_number", "mobile", "uscc"):
        _value, errors = clean(one(type_), "９" * 5_000_000)
        assert len(errors) == 1, type_
    assert time.perf_counter() - started < 2


def test_textarea_keeps_newlines_and_tabs():
    assert clean(one("textarea"), "第一行\r\n\t第二行\r") == ("第一行\n\t第二行", [])
    assert clean(one("textarea"), "a\x0bb") == ("<absent>", [m.CONTROL_CHARS])


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000"])
def test_required_and_optional_empty(value):
    assert clean(one("text", required=True), value) == ("<absent>", [m.REQUIRED])
    assert clean(one("text"), value) == (None, [])


def test_missing_key_is_empty():
    assert run(one("text", required=True), {}).errors[0].path == "x"
    assert run(one("text"), {}).values == {"x": None}


# -- number --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("42\n", 42),
        ("４２", 42),
        (" +7 ", 7),
        ("1,000", 1000),
        ("１，０００", 1000),
        ("5.000", 5),
        ("-0", 0),
        (42, 42),
        (3.0, 3),
        (Decimal("8"), 8),
    ],
)
def test_whole_number_valid(value, expected):
    got, errors = clean(one("number", min=-10, max=5000), value)
    assert (got, errors) == (expected, [])
    assert type(got) is int


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("5.5", m.NUMBER_WHOLE),
        ("NaN", m.NUMBER_INVALID),
        ("nan", m.NUMBER_INVALID),
        ("Infinity", m.NUMBER_INVALID),
        ("-inf", m.NUMBER_INVALID),
        ("1e5", m.NUMBER_INVALID),
        ("0x10", m.NUMBER_INVALID),
        ("1_000", m.NUMBER_INVALID),
        ("12,34", m.NUMBER_INVALID),
        ("١٢", m.NUMBER_INVALID),  # Arabic-Indic digits are not folded by NFKC
        (".5", m.NUMBER_INVALID),
        ("5.", m.NUMBER_INVALID),
        ("1 000", m.NUMBER_INVALID),
        ("4\u200b2", m.INVISIBLE_CHARS),
        ("9" * 20, m.NUMBER_HUGE),
        (10**100, m.NUMBER_HUGE),
        (1e300, m.NUMBER_HUGE),
        (float("nan"), m.NUMBER_INVALID),
        (float("inf"), m.NUMBER_INVALID),
        (Decimal("NaN"), m.NUMBER_INVALID),
        (Decimal("sNaN"), m.NUMBER_INVALID),
        (True, m.NUMBER_INVALID),
        ([1], m.WRONG_TYPE),
        ({"n": 1}, m.WRONG_TYPE),
        ("-11", m.VALUE_MIN),
        ("5001", m.VALUE_MAX),
    ],
)
def test_number_invalid(value, msgid):
    assert clean(one("number", min=-10, max=5000), value) == ("<absent>", [msgid])


def test_number_decimals_and_bound_params():
    form = one("number", decimals=2, min="0.5", max=99.9)
    assert clean(form, "3.1") == (Decimal("3.10"), [])
    assert clean(form, 4.25) == (Decimal("4.25"), [])
    assert clean(form, "3.14159") == ("<absent>", [m.NUMBER_PLACES])
    assert run(form, {"x": "3.14159"}).errors[0].params == {"decimals": 2}
    assert run(form, {"x": "0.1"}).errors[0].params == {"min": "0.5"}
    assert run(form, {"x": "100"}).errors[0].params == {"max": "99.9"}


# -- money ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.5", "12.50"),
        ("¥1,000", "1000.00"),
        ("¥234.5", "234.50"),
        ("￥１２３元", "123.00"),
        ("0", "0.00"),
        ("-0.00", "0.00"),
        (0.1, "0.10"),
        (99, "99.00"),
        (Decimal("7.1"), "7.10"),
        ("1000.00", "1000.00"),
    ],
)
def test_money_valid(value, expected):
    got, errors = clean(one("money", max=1000), value)
    assert errors == []
    assert got == Decimal(expected) and got.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("0.001", m.MONEY_PLACES),
        (12.345, m.MONEY_PLACES),
        (Decimal("1.999"), m.MONEY_PLACES),
        ("-1", m.MONEY_NEGATIVE),
        (-0.01, m.MONEY_NEGATIVE),
        ("1000.01", m.VALUE_MAX),
        ("NaN", m.MONEY_INVALID),
        ("Infinity", m.MONEY_INVALID),
        ("12 元 5 角", m.MONEY_INVALID),
        ("$5", m.MONEY_INVALID),
        ("1e3", m.MONEY_INVALID),
        ("9" * 70, m.MONEY_INVALID),
        ("9" * 30, m.NUMBER_HUGE),
        ("9" * 16, m.NUMBER_HUGE),
        ([], m.WRONG_TYPE),
        (False, m.MONEY_INVALID),
    ],
)
def test_money_invalid(value, msgid):
    assert clean(one("money", max=1000), value) == ("<absent>", [msgid])


def test_money_bound_params_use_two_places():
    assert run(one("money", max=1000), {"x": "2000"}).errors[0].params == {"max": "1000.00"}
    assert run(one("money", min=10), {"x": "2"}).errors[0].params == {"min": "10.00"}


# -- date ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-02-29", date(2024, 2, 29)),
        ("２０２４-０１-０２", date(2024, 1, 2)),
        ("2024/1/2", date(2024, 1, 2)),
        ("2024年1月2日", date(2024, 1, 2)),
        (" 2000-12-31 ", date(2000, 12, 31)),
        (date(1999, 9, 9), date(1999, 9, 9)),
    ],
)
def test_date_valid(value, expected):
    assert clean(one("date"), value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("2023-02-29", m.DATE_INVALID),
        ("2024-13-01", m.DATE_INVALID),
        ("0000-01-01", m.DATE_INVALID),
        ("20240102", m.DATE_INVALID),
        ("2024-W01-1", m.DATE_INVALID),
        ("2024-01-02T00:00", m.DATE_INVALID),
        ("02/01/2024", m.DATE_INVALID),
        ("yesterday", m.DATE_INVALID),
        ("2024-01-0\x002", m.CONTROL_CHARS),
        (datetime(2024, 1, 2, 3, 4), m.WRONG_TYPE),
        (20240102, m.WRONG_TYPE),
        (["2024-01-02"], m.WRONG_TYPE),
    ],
)
def test_date_invalid(value, msgid):
    assert clean(one("date"), value) == ("<absent>", [msgid])


def test_date_bounds_absolute_and_relative():
    not_future = one("date", max="today")
    assert clean(not_future, TODAY.isoformat()) == (TODAY, [])
    assert clean(not_future, "2024-06-16") == ("<absent>", [m.DATE_FUTURE])
    assert clean(one("date", min="today"), "2024-06-14") == ("<absent>", [m.DATE_PAST])
    adult = one("date", max="today-18y")
    assert clean(adult, "2006-06-15")[1] == []
    result = run(adult, {"x": "2006-06-16"})
    assert [(e.message, e.params) for e in result.errors] == [(m.DATE_MAX, {"max": "2006-06-15"})]
    soon = one("date", min="today+1d", max="today+1m")
    assert clean(soon, "2024-07-15")[1] == []
    assert clean(soon, "2024-07-16")[1] == [m.DATE_MAX]
    assert clean(soon, "2024-06-15")[1] == [m.DATE_MIN]
    window = one("date", min="2020-01-01", max="2020-12-31")
    assert run(window, {"x": "2019-12-31"}).errors[0].params == {"min": "2020-01-01"}


def test_relative_bound_clamps_month_ends():
    assert m.date_bound("today-1y", date(2024, 2, 29)) == date(2023, 2, 28)
    assert m.date_bound("today+1m", date(2024, 1, 31)) == date(2024, 2, 29)
    assert m.date_bound("today+2w", date(2024, 1, 1)) == date(2024, 1, 15)
    assert m.date_bound("today+9999y", date(2024, 1, 1)) is None
    assert m.date_bound("tomorrow", date(2024, 1, 1)) is None


# -- choice / multichoice ---------------------------------------------------------------
CHOICES = [
    {"value": "y", "label": "是"},
    {"value": "n", "label": "否"},
    {"value": "1", "label": "一"},
]


def test_choice():
    form = one("choice", choices=CHOICES)
    assert clean(form, "y") == ("y", [])
    assert clean(form, " n ") == ("n", [])
    assert clean(form, 1) == ("1", [])
    assert clean(form, "")[1] == []
    for bad in ("z", "Y", "<script>", "y\u200b"):
        assert clean(form, bad) == ("<absent>", [m.CHOICE_INVALID])
    for wrong in (["y"], {"y": 1}, True, 1.0):
        assert clean(form, wrong) == ("<absent>", [m.WRONG_TYPE])


def test_multichoice():
    form = one("multichoice", choices=CHOICES)
    assert clean(form, "n") == (["n"], [])
    assert clean(form, ["1", "y", "1", "n"]) == (
        ["y", "n", "1"],
        [],
    )  # declaration order, no repeats
    assert clean(form, ["", None]) == ([], [])
    assert clean(form, None) == ([], [])
    assert clean(form, ["y", "zzz"]) == ("<absent>", [m.CHOICE_INVALID])
    assert clean(form, [["y"]]) == ("<absent>", [m.WRONG_TYPE])
    assert clean(form, [{"y": 1}]) == ("<absent>", [m.WRONG_TYPE])
    assert clean(form, {"y": True}) == ("<absent>", [m.WRONG_TYPE])
    assert clean(form, ["y"] * 100_000)[1] == [m.SELECT_MAX]


def test_multichoice_counts():
    form = one("multichoice", choices=CHOICES, min_items=2, max_items=2)
    assert clean(form, ["y", "n"]) == (["y", "n"], [])
    assert clean(form, ["y"]) == ("<absent>", [m.SELECT_MIN])
    assert clean(form, ["y", "n", "1"]) == ("<absent>", [m.SELECT_MAX])
    assert clean(form, []) == ("<absent>", [m.REQUIRED])  # min_items makes it required
    assert clean(one("multichoice", choices=CHOICES, required=True), [])[1] == [m.REQUIRED]


# -- id_number -------------------------------------------------------------------------
def test_id_number_valid_forms():
    lower = "11010519491231002x"
    form = one("id_number")
    assert clean(form, lower) == ("11010519491231002X", [])
    assert clean(form, " 110105 19491231 002X ") == ("11010519491231002X", [])
    assert clean(form, "110105-19491231-002x") == ("11010519491231002X", [])
    assert clean(form, lower.translate(FULLWIDTH)) == ("11010519491231002X", [])
    assert clean(form, "360426199101010071") == ("360426199101010071", [])
    assert clean(form, int("360426199101010071")) == ("360426199101010071", [])


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("110105194912310021", m.ID_CHECKSUM),
        (make_id(born=date(1949, 2, 28)).replace("19490228", "19490230"), m.ID_CHECKSUM),
        ("11010519491231002", m.ID_INVALID),
        ("110105491231002", m.ID_INVALID),  # first-generation 15-digit numbers expired in 2013
        ("1101051949123100XX", m.ID_INVALID),
        ("11010519491231002\u200bX", m.INVISIBLE_CHARS),
        ("\u202e11010519491231002X", m.INVISIBLE_CHARS),
        ("11010519491231002X\x00", m.CONTROL_CHARS),
        ("x" * 100, m.ID_INVALID),
        (11010519491231002.0, m.WRONG_TYPE),
        (["11010519491231002X"], m.WRONG_TYPE),
    ],
)
def test_id_number_invalid(value, msgid):
    assert clean(one("id_number"), value) == ("<absent>", [msgid])


def test_id_number_impossible_birth_dates():
    feb30 = "110105" + "19490230" + "002"
    assert clean(one("id_number"), feb30 + ric.calc_check_digit(feb30 + "0"))[1] == [m.ID_BIRTH]
    future = make_id(born=date(2024, 6, 16))
    assert clean(one("id_number"), future)[1] == [m.ID_BIRTH]
    assert clean(one("id_number"), make_id(born=TODAY))[1] == []
    assert clean(one("id_number"), make_id(born=date(1899, 12, 31)))[1] == [m.ID_BIRTH]


def test_id_number_region():
    assert clean(one("id_number"), make_id(region="999999"))[1] == [m.ID_REGION]
    # 宣武区 (110104) was merged away in 2010: nobody born after that can hold it.
    assert clean(one("id_number"), make_id(region="110104", born=date(2009, 1, 1)))[1] == []
    assert clean(one("id_number"), make_id(region="110104", born=date(2012, 1, 1)))[1] == [
        m.ID_REGION
    ]


def test_id_number_region_created_after_birth_is_accepted():
    """Deliberately looser than ric.validate: the region code is where the
    household was registered when the number was assigned, not the birthplace."""
    pudong_1950 = make_id(region="310115", born=date(1950, 6, 15))
    assert not ric.is_valid(pudong_1950)
    assert clean(one("id_number"), pudong_1950) == (pudong_1950, [])


# -- mobile ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "+86-13800138000",
        "0086 13800138000",
        "8613800138000",
        "１３８００１３８０００",
        "(+86) 13800138000",
        "13800138000\r\n",
        "\t13800138000",
        13800138000,
    ],
)
def test_mobile_valid(value):
    assert clean(one("mobile"), value) == ("13800138000", [])


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("12800138000", m.MOBILE_INVALID),
        ("1380013800", m.MOBILE_INVALID),
        ("138001380000", m.MOBILE_INVALID),
        ("+1 13800138000", m.MOBILE_INVALID),
        ("010-12345678", m.MOBILE_INVALID),
        ("1380013800o", m.MOBILE_INVALID),
        ("138\u200b00138000", m.INVISIBLE_CHARS),
        (13800138000.0, m.WRONG_TYPE),
    ],
)
def test_mobile_invalid(value, msgid):
    assert clean(one("mobile"), value) == ("<absent>", [msgid])


# -- uscc ------------------------------------------------------------------------------
def test_uscc_valid():
    form = one("uscc")
    assert clean(form, VALID_USCC) == (VALID_USCC, [])
    assert clean(form, VALID_USCC.lower()) == (VALID_USCC, [])
    assert clean(form, "9 1110000 600037341L") == (VALID_USCC, [])
    assert clean(form, "９１１１００００６０００３７３４１Ｌ") == (VALID_USCC, [])


def test_uscc_from_agriculture_office_is_accepted():
    """Village collective economic organisations get N-prefixed codes, which
    stdnum's format check refuses; the checksum is still stdnum's."""
    code = make_uscc("N2110105MA0000001"[:17])
    assert len(code) == 18
    assert not uscc.is_valid(code)
    assert clean(one("uscc"), code) == (code, [])


@pytest.mark.parametrize(
    ("value", "msgid"),
    [
        ("91110000600037341A", m.USCC_CHECKSUM),
        ("91110000600037341", m.USCC_INVALID),
        ("9111000060003734IL", m.USCC_INVALID),  # I, O, S, V, Z are never used
        ("911100006000373O1L", m.USCC_INVALID),
        ("91A10000600037341L", m.USCC_INVALID),  # region part must be digits
        ("911100006000\u200d37341L", m.INVISIBLE_CHARS),
        ([VALID_USCC], m.WRONG_TYPE),
    ],
)
def test_uscc_invalid(value, msgid):
    assert clean(one("uscc"), value) == ("<absent>", [msgid])


# -- address ---------------------------------------------------------------------------
def test_address_valid():
    form = one("address")
    value = {"unit": "110105001001", "detail": "幸福里 1 号楼"}
    assert clean(form, value, known_unit_codes=UNITS) == (value, [])
    assert clean(form, "110105001001", known_unit_codes=UNITS) == (
        {"unit": "110105001001", "detail": ""},
        [],
    )
    assert clean(form, {"unit": "１１０１０５００１００１"}, known_unit_codes=UNITS)[0] == {
        "unit": "110105001001",
        "detail": "",
    }
    assert clean(form, {"unit": "999999999999"})[1] == []  # no list given: any 12 digits
    assert clean(form, {"unit": "", "detail": ""}) == (None, [])


def test_address_invalid():
    form = one("address")
    assert clean(form, {"unit": "999999999999"}, known_unit_codes=UNITS)[1] == [m.UNIT_UNKNOWN]
    assert clean(form, {"unit": "11010500100"})[1] == [m.UNIT_INVALID]
    assert clean(form, {"unit": "11010500100a"})[1] == [m.UNIT_INVALID]
    assert clean(form, {"detail": "只有详细地址"})[1] == [m.UNIT_INVALID]
    assert clean(form, ["110105001001"])[1] == [m.WRONG_TYPE]
    assert clean(form, {"unit": ["110105001001"]})[1] == [m.WRONG_TYPE]
    assert clean(form, {"unit": {"$ne": 1}})[1] == [m.WRONG_TYPE]
    result = run(form, {"x": {"unit": "110105001001", "detail": "号" * 201}})
    assert [(e.path, e.message) for e in result.errors] == [("x.detail", m.TOO_LONG)]
    result = run(form, {"x": {"unit": "110105001001", "detail": "a\x00"}})
    assert [(e.path, e.message) for e in result.errors] == [("x.detail", m.CONTROL_CHARS)]


def test_address_detail_modes():
    required = one("address", detail="required")
    result = run(required, {"x": {"unit": "110105001001"}})
    assert [(e.path, e.message) for e in result.errors] == [("x.detail", m.REQUIRED)]
    none = one("address", detail="none")
    assert clean(none, {"unit": "110105001001", "detail": "ignored"})[0]["detail"] == ""
    assert clean(one("address", required=True), {})[1] == [m.REQUIRED]


# -- file ------------------------------------------------------------------------------
def _file(info: FileInfo, **options):
    return clean(one("file", **options), "f1", files={"f1": info})


def test_file_valid():
    form = one("file", accept=["image/*", "application/pdf"], max_bytes=1_000_000)
    assert clean(form, "photo1", files=FILES) == ("photo1", [])
    assert clean(form, "scan2", files=FILES) == ("scan2", [])
    assert (
        _file(FileInfo("image/jpeg; charset=binary", 10, "SCAN.JPG"), accept=["image/*"])[1] == []
    )
    assert _file(FileInfo("application/octet-stream", 10, "证照.ofd"), accept=[".ofd"])[1] == []
    assert _file(FileInfo("application/x-anything", 10, "notes"))[1] == []  # no accept list


def test_file_reference_must_be_one_of_this_submissions_uploads():
    form = one("file")
    assert clean(form, "someone_elses", files=FILES) == ("<absent>", [m.FILE_MISSING])
    assert clean(form, "photo1") == ("<absent>", [m.FILE_MISSING])  # no files given: fail closed
    assert clean(form, "photo1", files={"photo1": "not a FileInfo"})[1] == [m.FILE_MISSING]
    for bad in ("../etc/passwd", "/tmp/x", "a b", "a\x00", "photo1\u200b", "", "x" * 200):
        expected = [] if bad == "" else [m.FILE_INVALID]
        assert clean(form, bad, files=FILES)[1] == expected, bad
    assert clean(form, ["photo1"], files=FILES)[1] == [m.FILE_INVALID]
    assert clean(form, {"id": "photo1"}, files=FILES)[1] == [m.FILE_INVALID]


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd",
        "..\\boot.ini",
        "C:\\x.pdf",
        "dir/x.pdf",
        "x\x00.pdf",
        "x\n.pdf",
        "report\u202efdp.exe",
        "／etc／passwd",
        "a..pdf",
        ".htaccess",
        " lead.pdf",
        "a:stream.pdf",
        "",
        "x" * 256 + ".pdf",
    ],
)
def test_file_name_rejected(filename):
    assert _file(FileInfo("application/pdf", 10, filename))[1] == [m.FILE_NAME]


def test_file_size_and_type():
    assert _file(FileInfo("application/pdf", 0, "a.pdf"))[1] == [m.FILE_EMPTY]
    assert _file(FileInfo("application/pdf", -5, "a.pdf"))[1] == [m.FILE_INVALID]
    result = run(
        one("file", max_bytes=5 * 1024 * 1024),
        {"x": "f1"},
        files={"f1": FileInfo("application/pdf", 5 * 1024 * 1024 + 1, "a.pdf")},
    )
    assert [(e.message, e.params) for e in result.errors] == [(m.FILE_TOO_BIG, {"max": "5 MB"})]
    assert _file(FileInfo("application/pdf", m.HARD_MAX_BYTES + 1, "a.pdf"))[1] == [m.FILE_TOO_BIG]
    images = {"accept": ["image/*"]}
    assert _file(FileInfo("application/pdf", 10, "a.pdf"), **images)[1] == [m.FILE_TYPE]
    assert _file(FileInfo("image/jpeg", 10, "photo.exe"), **images)[1] == [m.FILE_TYPE]
    assert _file(FileInfo("image/jpeg", 10, "scan.pdf"), **images)[1] == [m.FILE_TYPE]
    assert _file(FileInfo("text/html", 10, "page.html"), accept=["*/*"])[1] == [m.FILE_TYPE]
    assert _file(FileInfo("image/svg+xml", 10, "x.svg"))[1] == [m.FILE_TYPE]
    result = run(
        one("file", accept=["image/*", ".pdf"]),
        {"x": "f1"},
        files={"f1": FileInfo("text/plain", 10, "a.txt")},
    )
    assert result.errors[0].params == {"accept": "image/*, .pdf"}
