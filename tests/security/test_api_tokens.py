"""Department API tokens: refused on every API route the moment they are revoked or
expire, held to their unit on the API, and never written down where people read."""

from __future__ import annotations

import json
import logging
import logging.config
import re
from datetime import UTC, datetime, timedelta

from core.ops.logs import logging_config
from core.tenancy import tokens
from core.tenancy.tables import ApiToken, Staff
from tests.tenancy.support import principal
from tests.ui import flows

PARAMS = {"int": "1", "str": "2030-01-02"}


def _api_routes(app) -> list[tuple[str, str]]:
    """Every (method, URL) of the JSON API, path parameters filled in."""
    found = []
    for route in app.routes:
        if not route.path.startswith("/api/"):
            continue
        url = re.sub(r"\{\w+:(\w+)\}", lambda m: PARAMS[m.group(1)], route.path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            found.append((method, url))
    assert len(found) > 20
    return found


async def _token(unit_code: str = "509910101000-BM", role: str = "window_clerk"):
    return await tokens.create_token(
        await principal("admin"), name="税务系统", unit_code=unit_code, role=role
    )


async def _every_route_refuses(browser, app, secret: str) -> None:
    for method, url in _api_routes(app):
        answer = await browser.client.request(
            method, url, json={}, headers={"authorization": f"Bearer {secret}"}
        )
        assert answer.status_code == 401, (method, url, answer.status_code, answer.text[:200])
        assert answer.json()["code"], (method, url)


async def test_a_revoked_token_is_refused_at_once_on_every_api_route(app, browser):
    token_id, secret = await _token()
    bearer = {"authorization": f"Bearer {secret}"}
    assert (await browser.client.get("/api/v1/cases/987654321", headers=bearer)).status_code == 404
    await browser.login("admin")
    revoked = await browser.post_form(f"/admin/tokens/{token_id}/revoke", {})
    assert revoked.status_code == 200
    assert await ApiToken.exists().where(
        (ApiToken.id == token_id) & ApiToken.revoked_at.is_not_null()
    )
    browser.client.cookies.clear()  # the department system has no session
    await _every_route_refuses(browser, app, secret)


async def test_an_expired_token_is_refused_at_once_on_every_api_route(app, browser):
    token_id, secret = await _token()
    bearer = {"authorization": f"Bearer {secret}"}
    assert (await browser.client.get("/api/v1/cases/987654321", headers=bearer)).status_code == 404
    await ApiToken.update({ApiToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        ApiToken.id == token_id
    )
    await _every_route_refuses(browser, app, secret)


async def test_a_token_sees_only_its_unit_s_part_of_the_tree(app, new_browser):
    """The isolation matrix asks about the other district; here: the neighbouring township."""
    agent = await new_browser()
    await agent.login("agent")  # 麻柳村, under 赶水镇
    resident = await flows.register(agent, "令牌测试", flows.new_id_number(), flows.new_phone())
    await flows.consent(agent, resident)
    case_id, _ = await flows.file_pension(agent, resident, {})
    _, own = await _token("509910101000-BM")  # 赶水镇's window: the case is its township's
    _, neighbour = await _token("509910102000-BM")  # another township of the district
    system = await new_browser()
    for secret, expected in ((own, 200), (neighbour, 404)):
        bearer = {"authorization": f"Bearer {secret}"}
        case = await system.client.get(f"/api/v1/cases/{case_id}", headers=bearer)
        missing = await system.client.get("/api/v1/cases/987654321", headers=bearer)
        assert case.status_code == expected, case.text[:300]
        if expected == 404:
            assert case.json() == missing.json()  # told exactly what a missing case is told


async def test_no_part_of_a_token_s_secret_is_stored_beyond_its_shown_prefix(app):
    token_id, secret = await _token()
    row = await ApiToken.select().where(ApiToken.id == token_id).first()
    account = await Staff.select().where(Staff.id == row["staff"]).first()
    assert row["prefix"] == secret[:10]  # shown in the console to tell tokens apart
    hidden = secret[10:]
    stored = [str(v) for v in (*row.values(), *account.values()) if v is not None]
    for start in range(len(hidden) - 4):
        window = hidden[start : start + 5]
        assert not any(window in value for value in stored), (window, stored)


async def test_requests_with_a_token_leave_no_secret_in_the_logs(app, browser, caplog):
    _, secret = await _token()
    handler = logging.StreamHandler()
    config = logging_config(json=True)
    formatter = logging.config.DictConfigurator(config).configure_custom(
        dict(config["formatters"]["default"])
    )
    handler.setFormatter(formatter)
    lines: list[str] = []
    client_side = ("httpx", "httpcore")  # the test's own HTTP client, not the server

    def emit(record: logging.LogRecord) -> None:
        if not record.name.startswith(client_side):
            lines.append(formatter.format(record))

    handler.emit = emit  # type: ignore[method-assign]
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        bearer = {"authorization": f"Bearer {secret}"}
        await browser.client.get("/api/v1/authorisations", headers=bearer)
        # A system that puts the token in the query string by mistake, or on a page.
        await browser.client.get(f"/api/v1/authorisations?access_token={secret}", headers=bearer)
        await browser.client.get(f"/api/v1/cases/1?token={secret}", headers=bearer)
        await browser.client.get("/desk/", headers=bearer)
        await browser.client.post("/api/v1/cases", json={"token": secret}, headers=bearer)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    access = [json.loads(line) for line in lines if '"tongban.access"' in line]
    assert len(access) >= 5, lines  # the access log was written, as JSON
    bad = [line for line in lines if secret[10:] in line]
    assert not bad, bad
