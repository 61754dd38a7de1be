"""Script and HTML typed into any field are shown as text wherever they appear.

Two layers: the real pages over HTTP for what an agent and a clerk type
(resident's name, the form's free text, a supplement note, a clerk's
reason), and every field type of a form rendered both as the filing form
(valid and invalid input re-displayed) and as the submitted values.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.catalog.form_view import form_view
from core.plugins import collect, get_plugin_manager
from core.web.templating import make_environment
from tests.forms import samples
from tests.ui import flows

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
PAYLOADS = (SCRIPT, IMG)


def assert_inert(html: str, payload: str) -> None:
    """The payload is not markup: no raw tag survives, and the text is there escaped."""
    assert payload not in html
    assert "<script>alert" not in html and "<img src=x" not in html
    escaped = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped_quotes = escaped.replace('"', "&#34;")
    assert escaped in html or escaped_quotes in html, f"{payload!r} is not shown as text"


async def test_what_agents_and_clerks_type_is_shown_as_text_on_every_page(people, new_browser):
    agent, clerk, public = await people("agent"), await people("clerk"), await new_browser()
    id_number = flows.new_id_number("19800101")
    resident_id = await flows.register(agent, SCRIPT, id_number, flows.new_phone())
    await flows.consent(agent, resident_id)
    case_id, code = await flows.file_pension(
        agent, resident_id, {}, remark=IMG, **{"household_address.detail": SCRIPT}
    )
    pages = [
        await agent.get(f"/workbench/residents/{resident_id}"),
        await agent.get(f"/workbench/cases/{case_id}"),
        await agent.get(f"/workbench/cases/{case_id}/receipt"),
        await agent.get("/workbench/cases"),
        await agent.get("/workbench/"),
        await flows.post(
            agent,
            "/workbench/residents/search",
            {"by": "name", "name": SCRIPT, "birth_date": "1980-01-01"},
        ),
    ]
    for page in pages:
        assert page.status_code == 200, page.url
        assert_inert(page.text, SCRIPT)
    assert_inert(pages[1].text, IMG)  # the remark, on the case page

    # A hostile registration that fails validation is echoed back as text too.
    echoed = await flows.post(
        agent, "/workbench/residents/new", {"name": IMG, "id_number": SCRIPT, "phone": IMG}
    )
    assert echoed.status_code == 422
    for payload in PAYLOADS:
        assert_inert(echoed.text, payload)

    reason = f"{SCRIPT}{IMG}"
    asked = await flows.post(
        clerk,
        f"/cases/{case_id}/act",
        {
            "action": "request_supplement",
            "reason": reason,
            "material": "id_card",
            "note.id_card": IMG,
        },
    )
    assert asked.status_code == 200, asked.text[:2000]
    case_page = await agent.get(f"/workbench/cases/{case_id}")
    status = await public.get("/status/", params={"code": code, "last4": id_number[-4:]})
    for page in (case_page, status, asked):
        for payload in PAYLOADS:
            assert_inert(page.text, payload)


def _environment():
    dirs = [Path(d) for _, d in collect(get_plugin_manager(), "tongban_template_dirs")]
    return make_environment(dirs)


def _hostile_values(form) -> dict:
    """A payload in every field, shaped as each type's input is shaped."""
    raw: dict = {}
    for f in form.fields:
        if f.type == "group":
            raw[f.name] = [{sub.name: SCRIPT for sub in f.fields}]
        elif f.type == "address":
            raw[f.name] = {"unit": IMG, "detail": SCRIPT}
        elif f.type == "multichoice":
            raw[f.name] = [SCRIPT, IMG]
        else:
            raw[f.name] = SCRIPT if len(raw) % 2 else IMG
    return raw


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
def test_every_field_type_redisplays_hostile_input_as_text(locale):
    from core.web.locale import current_locale

    token = current_locale.set(locale)
    try:
        form = samples.example_form()
        assert {f.type for f in form.fields} >= {
            "text", "textarea", "number", "money", "date", "choice", "multichoice",
            "id_number", "mobile", "uscc", "address", "file", "group", "computed",
        }  # fmt: skip
        raw = _hostile_values(form)
        views = form_view(form, raw, computed=samples.COMPUTED, files={})
        html = (
            _environment()
            .get_template("catalog/partials/item_form.html")
            .render(views=views, urls={"section": "/s", "upload": "/u"}, places=[])
        )
    finally:
        current_locale.reset(token)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # Every field was rendered with an error (the payload is valid for none of the
    # strict types), and the text fields keep what was typed.
    assert len(re.findall(r'class="error"', html)) >= 8


def test_submitted_values_of_every_field_type_are_shown_as_text():
    form = samples.example_form()
    values = {
        f.name: (
            [{sub.name: SCRIPT for sub in f.fields}]
            if f.type == "group"
            else {"unit": IMG, "detail": SCRIPT}
            if f.type == "address"
            else [SCRIPT]
            if f.type == "multichoice"
            else SCRIPT
        )
        for f in form.fields
    }

    class _Item:
        pass

    item = _Item()
    item.form = form
    html = (
        _environment()
        .get_template("cases/partials/values.html")
        .render(item=item, values=values, place_names={})
    )
    assert "<script>alert" not in html and "<img src=x" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5
