"""Every form error shows at its field, in the language the person chose.

Invalid values are typed into the workbench's forms (registration, resident
search, the item's form, an upload slot, the live per-field check) in
Chinese and in English; each message must appear inside the error box tied
to that field (``id="err-…"``, referenced by the input's aria-describedby).
"""

from __future__ import annotations

import re

import pytest

from core.catalog import fields as msg
from core.i18n import gettext
from core.materials import storage
from tests.ui import flows
from tests.ui.conftest import speaking


def error_box(html: str, dom_id: str) -> str:
    match = re.search(
        rf'<div class="errors" id="err-{re.escape(dom_id)}"[^>]*>(.*?)</div>', html, re.S
    )
    assert match, f"no error box err-{dom_id}"
    return match.group(1)


def described_by(html: str, dom_id: str) -> bool:
    return f'aria-describedby="err-{dom_id}"' in html


def expect(locale: str, message: str, **params) -> str:
    text = gettext(locale, message, **params)
    if locale == "zh_CN":
        assert text != message and re.search(r"[\u4e00-\u9fff]", text), f"untranslated: {message}"
    return text


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_registration_errors_at_their_fields(people, locale):
    with speaking(await people("agent"), locale) as agent:
        await _registration_errors(agent, locale)


async def _registration_errors(agent, locale: str) -> None:
    good = flows.new_id_number()
    bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")  # the same number, one digit off
    page = await flows.post(
        agent, "/workbench/residents/new", {"name": "", "id_number": bad_check, "phone": "12345"}
    )
    assert page.status_code == 422
    assert expect(locale, "Please correct the marked fields.") in page.text
    assert expect(locale, msg.REQUIRED) in error_box(page.text, "name")
    assert expect(locale, msg.ID_CHECKSUM) in error_box(page.text, "id_number")
    assert expect(locale, msg.MOBILE_INVALID) in error_box(page.text, "phone")
    for field in ("name", "id_number", "phone"):
        assert described_by(page.text, field)

    # The same rules, one field at a time, as the person types (htmx live check).
    live = await flows.post(
        agent,
        "/workbench/residents/new/check",
        {"_field": "id_number", "id_number": "11010519491231002", "name": ""},
        htmx=True,
    )
    assert expect(locale, msg.ID_INVALID) in error_box(live.text, "id_number")
    assert expect(locale, msg.REQUIRED) not in live.text, "only the checked field answers"


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_search_and_filing_errors_at_their_fields(people, locale):
    with speaking(await people("agent"), locale) as agent:
        await _search_and_filing_errors(agent, locale)


async def _search_and_filing_errors(agent, locale: str) -> None:
    search = await flows.post(
        agent,
        "/workbench/residents/search",
        {"by": "name", "name": "张三", "birth_date": "2999-01-01"},
    )
    assert search.status_code == 422
    assert expect(locale, msg.DATE_FUTURE) in error_box(search.text, "s-birth")

    resident_id = await flows.register(
        agent, "郑十一", flows.new_id_number("19800101"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    filed = await flows.post(
        agent,
        f"/workbench/residents/{resident_id}/file/{flows.PENSION}/",
        {
            "contribution_grade": "999",
            "household_address.unit": "12345",
            "household_address.detail": "",
            "remark": "长" * 501,
        },
    )
    assert filed.status_code == 422
    assert expect(locale, "Please correct the marked fields.") in filed.text
    assert expect(locale, msg.CHOICE_INVALID) in error_box(filed.text, "contribution_grade")
    assert expect(locale, msg.UNIT_INVALID) in error_box(filed.text, "household_address")
    assert expect(locale, msg.TOO_LONG, max=500, length=501) in error_box(filed.text, "remark")
    assert "长" * 501 in filed.text, "what was typed is kept for correcting"

    refused = await flows.upload(agent, "upload.id_card", "id.jpg", b"not a photo", "image/jpeg")
    assert refused.headers["HX-Retarget"] == "#err-upload-id_card"
    assert expect(locale, storage.BAD_TYPE) in refused.text


async def test_an_error_page_is_in_the_chosen_language_and_shows_no_trace(people):
    with speaking(await people("agent"), "en") as agent:
        await _error_pages(agent)


async def _error_pages(agent) -> None:
    missing = await agent.get("/workbench/cases/999999")
    assert missing.status_code == 404
    assert "No such case." in missing.text and "Traceback" not in missing.text
    upload = await agent.get("/materials/" + "a" * 40)
    assert upload.status_code == 404 and "No such file." in upload.text
    assert (await agent.get(f"/materials/{'b' * 40}/thumb")).status_code == 404
