"""A mistyped or forged tracking code on the public pages: the status page, the rating page
and the status API say in words what is wrong with it, in the reader's language, never an
internal reason code, and change nothing."""

from __future__ import annotations

import html

import pytest
from stdnum.iso7064 import mod_11_2

from core.reviews.tables import Review

GOOD = "50011026112300042" + mod_11_2.calc_check_digit("50011026112300042")
LAST = "5" if GOOD[-1] != "5" else "6"
MISTYPED = GOOD[:-1] + LAST  # one character changed: the check digit no longer matches
SHORT = GOOD[:-1]  # one character missing
IMPOSSIBLE = "50011026133100042" + mod_11_2.calc_check_digit("50011026133100042")  # month 13

INTERNAL = ("bad_check", "wrong_length", "not_digits", "impossible_date", "%(")

# What the reader sees, by language and by what is wrong.
SAYS = {
    "zh_CN": {
        MISTYPED: ("办件编码有输入错误", "校验位", "逐位核对"),
        SHORT: ("办件编码位数不对", "18 位"),
        IMPOSSIBLE: ("日期不存在",),
        "5OO110261123000425": ("只能由数字组成",),
    },
    "en": {
        MISTYPED: ("typing error", "check digit", "check each digit"),
        SHORT: ("wrong length", "18 characters"),
        IMPOSSIBLE: ("date that does not exist",),
        "5OO110261123000425": ("only digits",),
    },
}


def _speaking(browser, locale: str):
    browser.client.cookies.set("lang", locale)
    return browser


def _shown(text: str) -> str:
    return html.unescape(text)


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_the_status_page_says_what_is_wrong_with_the_code(new_browser, locale):
    resident = _speaking(await new_browser(), locale)
    for typed, words in SAYS[locale].items():
        page = await resident.get("/status/", params={"code": typed, "last4": "1234"})
        assert page.status_code == 200
        alert = _shown(page.text.split('class="alert" role="alert">', 1)[1].split("</p>", 1)[0])
        assert all(w in alert for w in words), (typed, alert)
        assert not any(code in alert for code in INTERNAL), alert


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_the_rating_page_says_what_is_wrong_and_rates_nothing(new_browser, locale):
    resident = _speaking(await new_browser(), locale)
    before = await Review.count()
    words = SAYS[locale][MISTYPED]
    page = await resident.get("/reviews/rate", params={"code": MISTYPED, "last4": "1234"})
    assert page.status_code == 400
    assert all(w in _shown(page.text) for w in words)
    assert not any(code in page.text for code in INTERNAL)
    posted = await resident.post_form(
        "/reviews/rate", {"code": SHORT, "last4": "1234", "score": "1", "comment": "差"}
    )
    assert posted.status_code == 400
    assert all(w in _shown(posted.text) for w in SAYS[locale][SHORT])
    assert not any(code in posted.text for code in INTERNAL)
    assert await Review.count() == before


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_the_status_api_gives_words_and_a_stable_code(new_browser, locale):
    client = _speaking(await new_browser(), locale)
    for typed, reason in ((MISTYPED, "bad_check"), (SHORT, "wrong_length")):
        answer = await client.api("GET", f"/api/v1/status/{typed}?last4=1234")
        assert answer.status_code == 400
        body = answer.json()
        assert body["code"] == "invalid_tracking_code" and body["reason"] == reason
        assert all(w in body["message"] for w in SAYS[locale][typed])
        assert not any(code in body["message"] for code in INTERNAL)
