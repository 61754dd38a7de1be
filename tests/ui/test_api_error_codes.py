"""Every JSON API error carries a stable machine ``code`` beside its ``message`` in the
caller's language, so a client branches on the code, never on the words; the OpenAPI
schema documents that body."""

from __future__ import annotations

from core.tenancy.tables import Membership, Staff

PENSION = "000115002000"  # a demo item (城乡居民基本养老保险参保登记)


async def _agent_unit() -> int:
    staff = await Staff.select(Staff.id).where(Staff.username == "agent").first()
    row = await Membership.select(Membership.unit).where(Membership.staff == staff["id"]).first()
    return row["unit"]


def _in(browser, locale: str):
    browser.client.cookies.set("lang", locale)


async def test_each_api_error_has_a_stable_code_whatever_the_language(new_browser):
    agent = await new_browser()
    await agent.login("agent")
    unit = await _agent_unit()
    asks = {
        "case_not_found": ("GET", "/api/v1/cases/987654321", None, 404),
        "item_not_available": (
            "POST",
            "/api/v1/cases",
            {"unit_id": unit, "item_code": "000000000000", "applicant": {}, "data": {}},
            422,
        ),
        "validation_failed": (
            "POST",
            "/api/v1/cases",
            {"unit_id": unit, "item_code": PENSION, "applicant": {"name": ""}, "data": {}},
            422,
        ),
        "invalid_tracking_code": ("GET", "/api/v1/status/123?last4=1234", None, 400),
        # The framework's own: a route that does not exist, a query parameter missing.
        "not_found": ("GET", "/api/v1/cases/not-a-number", None, 404),
        "bad_request": ("GET", "/api/v1/status/509910261208000012", None, 400),
    }
    seen: dict[str, dict[str, dict]] = {}
    for locale in ("zh_CN", "en"):
        _in(agent, locale)
        for code, (method, url, body, status) in asks.items():
            answer = await agent.api(method, url, body)
            assert answer.status_code == status, (code, answer.text)
            got = answer.json()
            assert got["code"] == code, (url, got)
            assert got["status"] == got["status_code"] == status
            assert got["message"] and got["detail"] == got["message"]
            seen.setdefault(code, {})[locale] = got
    # The words follow the language; the code does not.
    assert "办件" in seen["case_not_found"]["zh_CN"]["message"]
    assert seen["case_not_found"]["en"]["message"] == "No such case."
    assert seen["item_not_available"]["en"]["message"].startswith("This item cannot be filed")
    assert {e["path"] for e in seen["validation_failed"]["en"]["errors"]} >= {"applicant.name"}
    assert seen["invalid_tracking_code"]["en"]["reason"] == "wrong_length"

    stranger = await new_browser()  # not logged in
    answer = await stranger.api("GET", "/api/v1/cases/1")
    assert answer.status_code == 401 and answer.json()["code"] == "login_required"


async def test_the_schema_documents_the_error_body(browser):
    spec = (await browser.get("/api/docs/openapi.json")).json()
    responses = spec["paths"]["/api/v1/cases/{case_id}"]["get"]["responses"]
    schema = responses["404"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    assert {"code", "message", "status"} <= set(schema["required"])
    assert "code" in schema["properties"] and "errors" in schema["properties"]
    fees = spec["paths"]["/api/v1/payments/{code}"]["post"]["responses"]
    assert {"400", "404", "409", "422"} <= set(fees)


async def test_the_signing_and_licence_apis_document_their_error_body_too(browser):
    spec = (await browser.get("/api/docs/openapi.json")).json()
    ops = {
        ("/api/v1/verify/{code}", "get"),
        ("/api/v1/verify", "post"),
        ("/api/v1/verify/qr", "post"),
        ("/api/v1/cases/{case_id}/documents", "get"),
        ("/api/v1/authorisations", "post"),
        ("/api/v1/authorisations", "get"),
        ("/api/v1/cases/{case_id}/licences", "get"),
        ("/api/v1/cases/{case_id}/materials/{material_code}/licence", "post"),
        ("/api/v1/licences", "get"),
    }
    for path, method in ops:
        responses = spec["paths"][path][method]["responses"]
        assert {"400", "403", "404", "422"} <= set(responses), (path, method)
        schema = responses["422"]["content"]["application/json"]["schema"]
        if "$ref" in schema:
            schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        assert {"code", "message"} <= set(schema["required"]), (path, method)
