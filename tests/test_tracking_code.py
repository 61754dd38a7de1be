"""The tracking code (统一办件编码): format, check character, typo detection, phone input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_2

from core.cases.tracking import (
    InvalidReason,
    InvalidTrackingCode,
    TrackingCode,
    format_for_display,
    make_tracking_code,
    normalise,
    parse,
)

D = dt.date
ALPHABET = "0123456789X"


def id_card_check(body17: str) -> str:
    """The GB 11643 ID-card check character, written out independently of stdnum."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights, strict=True)) % 11]


def code_with_check(check: str) -> str:
    """Some valid code whose check character is ``check``."""
    for seq in range(1, 100):
        code = make_tracking_code("500110000000", D(2026, 11, 23), seq)
        if code[-1] == check:
            return code
    raise AssertionError(f"no sample code ends in {check}")


# -- building and reading ------------------------------------------------------------


def test_known_code() -> None:
    code = make_tracking_code("500110001000", D(2026, 11, 23), 42)
    assert code == "500110261123000425"
    assert id_card_check(code[:17]) == code[-1]
    assert format_for_display(code) == "500110-261123-00042-5"
    assert parse(code) == TrackingCode("500110", D(2026, 11, 23), 42)


def test_six_digit_county_code_is_accepted() -> None:
    assert make_tracking_code("500110", D(2026, 11, 23), 42) == "500110261123000425"


divisions = st.text(alphabet="0123456789", min_size=12, max_size=12)
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2099, 12, 31))
sequences = st.integers(min_value=1, max_value=99_999)


@given(division=divisions, day=days, sequence=sequences)
def test_round_trip(division: str, day: dt.date, sequence: int) -> None:
    code = make_tracking_code(division, day, sequence)
    assert len(code) == 18
    assert code[-1] == id_card_check(code[:17])  # stdnum agrees with GB 11643
    parsed = parse(code)
    assert (parsed.division, parsed.day, parsed.sequence) == (division[:6], day, sequence)
    assert str(parsed) == code
    assert parse(format_for_display(code)) == parsed


@given(division=divisions, day=days, sequence=sequences)
def test_every_single_character_typo_is_detected(
    division: str, day: dt.date, sequence: int
) -> None:
    code = make_tracking_code(division, day, sequence)
    for i, original in enumerate(code):
        for typo in ALPHABET:
            if typo == original:
                continue
            mistyped = code[:i] + typo + code[i + 1 :]
            with pytest.raises(InvalidTrackingCode) as info:
                parse(mistyped)
            assert info.value.reason in (InvalidReason.BAD_CHECK, InvalidReason.NOT_DIGITS)


@given(division=divisions, day=days, sequence=sequences)
def test_every_adjacent_transposition_is_detected(
    division: str, day: dt.date, sequence: int
) -> None:
    code = make_tracking_code(division, day, sequence)
    for i in range(len(code) - 1):
        if code[i] == code[i + 1]:
            continue
        swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
        with pytest.raises(InvalidTrackingCode):
            parse(swapped)


# -- what residents type ----------------------------------------------------------------


def test_full_width_input_normalises() -> None:
    assert normalise("５００１１０－２６１１２３－０００４２－５") == "500110261123000425"
    assert parse("５００１１０　２６１１２３　０００４２　５").sequence == 42  # ideographic spaces


@pytest.mark.parametrize("x", ["x", "X", "ｘ", "Ｘ"])
def test_check_character_x_in_any_form(x: str) -> None:
    code = code_with_check("X")
    typed = f"{code[:6]} {code[6:12]}—{code[12:17]}-{x}"
    assert normalise(typed) == code
    assert parse(typed).code == code


def test_separators_and_invisible_characters_are_ignored() -> None:
    code = "500110261123000425"
    for typed in (
        " 500110-261123-00042-5 ",
        "500110–261123–00042–5",  # en dashes
        "500110——261123——00042——5",  # Chinese IME dash
        "500110\u200b261123000425",  # zero-width space from a copy-paste
        "500110\t261123\n000425",
    ):
        assert normalise(typed) == code, typed


# -- invalid codes say why -----------------------------------------------------------------


def with_valid_check(body17: str) -> str:
    return body17 + mod_11_2.calc_check_digit(body17)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("", InvalidReason.WRONG_LENGTH),
        ("50011026112300042", InvalidReason.WRONG_LENGTH),  # one digit missing
        ("5001102611230004255", InvalidReason.WRONG_LENGTH),
        ("5OO110261123000425", InvalidReason.NOT_DIGITS),  # letter O for zero
        ("50011026112300042X".replace("0", "X", 1), InvalidReason.NOT_DIGITS),
        ("500110261123000427", InvalidReason.BAD_CHECK),
        (with_valid_check("50011026133100042"), InvalidReason.IMPOSSIBLE_DATE),  # month 13
        (with_valid_check("50011027022900042"), InvalidReason.IMPOSSIBLE_DATE),  # 29 Feb 2027
    ],
)
def test_invalid_reasons(typed: str, reason: InvalidReason) -> None:
    with pytest.raises(InvalidTrackingCode) as info:
        parse(typed)
    assert info.value.reason is reason
    assert info.value.code == typed
    assert isinstance(info.value, ValueError)
    assert info.value.reason.message  # an English message id for the translation layer


def test_leap_day_is_possible() -> None:
    code = make_tracking_code("500110000000", D(2028, 2, 29), 1)
    assert parse(code).day == D(2028, 2, 29)


def test_years_are_2000_to_2099() -> None:
    # strptime would read "99" as 1999; the code's century is always 20xx.
    assert parse(make_tracking_code("500110000000", D(2099, 12, 31), 7)).day == D(2099, 12, 31)
    with pytest.raises(ValueError):
        make_tracking_code("500110000000", D(2100, 1, 1), 1)
    with pytest.raises(ValueError):
        make_tracking_code("500110000000", D(1999, 12, 31), 1)


def test_display_refuses_an_invalid_code() -> None:
    with pytest.raises(InvalidTrackingCode):
        format_for_display("500110261123000427")


# -- building refuses bad parts --------------------------------------------------------------


def test_sequence_overflow_raises() -> None:
    assert make_tracking_code("500110000000", D(2026, 11, 23), 99_999).endswith(
        "99999" + mod_11_2.calc_check_digit("50011026112399999")
    )
    for bad in (100_000, 0, -1):
        with pytest.raises(ValueError, match="sequence"):
            make_tracking_code("500110000000", D(2026, 11, 23), bad)


@pytest.mark.parametrize("division", ["50011", "5001100000", "50011000000X", "５００１１０"])
def test_bad_division_code_raises(division: str) -> None:
    with pytest.raises(ValueError, match="division code"):
        make_tracking_code(division, D(2026, 11, 23), 1)


def test_day_must_be_a_date_not_a_datetime() -> None:
    with pytest.raises(TypeError):
        make_tracking_code("500110000000", dt.datetime(2026, 11, 23, tzinfo=dt.UTC), 1)
