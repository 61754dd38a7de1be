"""A form error in the language a plugin author names, however they spell the locale."""

from __future__ import annotations

import pytest

from core.testing import validate_application

PENSION = "000115002000"


@pytest.fixture(scope="module")
def required_error():
    result = validate_application("social_security", PENSION, {})
    assert not result.ok
    return next(e for e in result.errors if e.message == "This field is required")


@pytest.mark.parametrize("locale", ["zh_CN", "zh-CN", "zh-Hans-CN", "zh_Hans_CN", "zh"])
def test_chinese_however_the_locale_is_written(required_error, locale):
    assert required_error.translate(locale) == "此项为必填项"


@pytest.mark.parametrize("locale", ["en", "en-US", "en_GB", "fr-FR", "not a locale"])
def test_english_for_english_and_for_languages_without_a_catalogue(required_error, locale):
    assert required_error.translate(locale) == "This field is required"
