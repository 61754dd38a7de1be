"""Authentication hardening, seen from the browser: sessions, lockout, throttling, forced
password changes, CSRF on pages and on the API, bearer tokens, the auditor's read-only access."""

from __future__ import annotations

from functools import lru_cache

import pytest
from argon2 import PasswordHasher

from core.errors import PermissionDenied
from core.tenancy import tokens
from core.tenancy.auth import authenticate, hash_password, verify_password
from core.tenancy.passwords import problems as password_problems
from core.tenancy.tables import Membership, Staff, Unit
from core.web.throttle import LoginThrottle
from tests.tenancy.support import principal

PASSWORD = "Yunan-clerk-2026"


@lru_cache(maxsize=4)
def _hash(password: str) -> str:
    return hash_password(password)  # argon2 is slow on purpose: hash each password once


async def staff_account(
    username: str, unit_code: str, role: str, *, must_change: bool = False, password: str = PASSWORD
) -> int:
    unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
    staff = (
        await Staff.insert(
            Staff(
                username=username,
                display_name=username,
                password_hash=_hash(password),
                must_change_password=must_change,
            )
        ).returning(Staff.id)
    )[0]
    await Membership.insert(Membership(staff=staff["id"], unit=unit["id"], role=role))
    return staff["id"]


async def test_logging_in_gives_a_new_session_id(browser_at):
    browser = await browser_at()
    await browser.get("/login")
    # An attacker planted a session id in the victim's browser before they logged in.
    browser.client.cookies.set("tongban_session", "attacker-chosen-id", domain="testserver.local")
    await browser.login("clerk")
    assert browser.client.cookies.get("tongban_session") not in (None, "attacker-chosen-id")
    assert (await browser.get("/desk/")).status_code == 200


async def test_the_fifth_wrong_password_locks_the_account(browser_at):
    staff_id = await staff_account("locktest", "509910101000-BM", "window_clerk")
    browser = await browser_at()
    first = await browser.post_form("/login", {"username": "locktest", "password": "wrong"})
    assert first.status_code == 400 and "用户名或密码错误" in first.text
    assert (await Staff.select(Staff.failed_logins).where(Staff.id == staff_id).first()) == {
        "failed_logins": 1
    }
    await Staff.update({Staff.failed_logins: 4}).where(Staff.id == staff_id)
    await browser.post_form("/login", {"username": "locktest", "password": "wrong again"})
    # Locked now: even the right password is turned away, with the reason.
    locked = await browser.post_form("/login", {"username": "locktest", "password": PASSWORD})
    assert locked.status_code == 400 and "尝试次数过多" in locked.text
    assert "tongban_session" not in locked.cookies


async def test_one_address_trying_many_accounts_is_throttled(app, browser_at):
    address = "10.9.1.1"
    throttle = LoginThrottle(app.stores.get("login-throttle"))
    for _ in range(19):  # as if 19 guesses had failed from this address already
        await throttle.failed(address)
    assert not await throttle.blocked(address)
    browser = await browser_at(address)
    last_guess = await browser.post_form("/login", {"username": "guess", "password": "123456"})
    assert last_guess.status_code == 400
    throttled = await browser.post_form("/login", {"username": "clerk", "password": "demo-clerk"})
    assert throttled.status_code == 429 and "登录失败次数过多" in throttled.text
    assert "tongban_session" not in throttled.cookies
    other = await browser_at()  # another address is not affected
    assert (await other.login("clerk")).status_code == 200


async def test_a_temporary_password_must_be_changed_before_anything_else(browser_at):
    await staff_account("newcomer", "509910101000-BM", "window_clerk", must_change=True)
    browser, elsewhere = await browser_at(), await browser_at()
    await browser.login("newcomer", PASSWORD)
    await elsewhere.login("newcomer", PASSWORD)
    desk = await browser.get("/desk/", follow_redirects=False)
    assert desk.status_code == 303 and desk.headers["location"] == "/account/password?next=/desk"
    api = await browser.api("GET", "/api/v1/cases/1")
    assert api.status_code == 403
    page = await browser.get("/account/password")
    assert "请先把别人给您的密码换成您自己的密码" in page.text
    weak = await browser.post_form(
        "/account/password", {"current": PASSWORD, "new": "newcomer123", "confirm": "newcomer123"}
    )
    assert weak.status_code == 422 and "密码中不要包含您的姓名或用户名" in weak.text
    done = await browser.post_form(
        "/account/password",
        {
            "current": PASSWORD,
            "new": "Ganshui-window-77",
            "confirm": "Ganshui-window-77",
            "next": "/desk/",
        },
    )
    assert done.status_code == 200 and str(done.url).endswith("/desk/")
    # Every other session of the account ended with the change.
    assert (await elsewhere.get("/desk/", follow_redirects=False)).status_code in (302, 303)
    assert (
        (await elsewhere.get("/desk/", follow_redirects=False))
        .headers["location"]
        .startswith("/login")
    )


async def test_a_demo_password_outside_the_demo_site_forces_a_change(catalogue):
    staff_id = await staff_account(
        "copied", "509910101000-BM", "window_clerk", password="demo-clerk"
    )
    await authenticate("copied", "demo-clerk", demo_site=True)
    assert not (await Staff.select(Staff.must_change_password).where(Staff.id == staff_id).first())[
        "must_change_password"
    ]
    await authenticate("copied", "demo-clerk", demo_site=False)
    assert (await Staff.select(Staff.must_change_password).where(Staff.id == staff_id).first())[
        "must_change_password"
    ]


async def test_a_form_without_its_csrf_token_changes_nothing(browser_at):
    browser = await browser_at()
    await browser.login("admin")
    unit = await Unit.select(Unit.id, Unit.name).where(Unit.code == "509910102201").first()
    response = await browser.client.post(f"/admin/units/{unit['id']}/rename", data={"name": "被改"})
    assert response.status_code == 403 and "表单已过期" in response.text
    htmx = await browser.client.post(
        f"/admin/units/{unit['id']}/rename", data={"name": "被改"}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 403
    assert (await Unit.select(Unit.name).where(Unit.id == unit["id"]).first())["name"] == unit[
        "name"
    ]


async def test_the_api_needs_the_csrf_header_with_a_session_but_not_with_a_token(browser_at):
    browser = await browser_at()
    await browser.login("clerk")
    body = {"action": "accept"}
    bare = await browser.client.post("/api/v1/cases/999999/actions", json=body)
    assert bare.status_code == 403 and bare.json()["message"].startswith("表单已过期")
    with_header = await browser.api("POST", "/api/v1/cases/999999/actions", json=body)
    assert with_header.status_code == 404  # past CSRF: the case does not exist

    _, secret = await tokens.create_token(
        await principal("admin"),
        name="赶水便民服务中心系统",
        unit_code="509910101000-BM",
        role="window_clerk",
    )
    system = await browser_at()
    by_token = await system.client.post(
        "/api/v1/cases/999999/actions", json=body, headers={"authorization": f"Bearer {secret}"}
    )
    assert by_token.status_code == 404  # no CSRF needed: a browser cannot send this header
    wrong = await system.client.get(
        "/api/v1/cases/1", headers={"authorization": "Bearer tb_" + "x" * 43}
    )
    assert wrong.status_code == 401 and wrong.json()["status"] == 401
    # A token opens the API only, never the pages.
    page = await system.client.get("/desk/", headers={"authorization": f"Bearer {secret}"})
    assert page.status_code in (302, 303)


async def test_a_token_acts_as_exactly_its_unit_and_role(catalogue):
    admin = await principal("admin")
    token_id, secret = await tokens.create_token(
        admin, name="綦江社保系统", unit_code="509910000000-SB", role="dept_reviewer", valid_days=30
    )
    who = await tokens.principal_for_token(secret)
    assert who.via_token and [(m.unit_code, m.role) for m in who.memberships] == [
        ("509910000000-SB", "dept_reviewer")
    ]
    assert who.display_name == "綦江社保系统"
    await tokens.revoke_token(admin, token_id)
    assert await tokens.principal_for_token(secret) is None
    assert await tokens.principal_for_token("tb_" + "A" * 43) is None
    with pytest.raises(PermissionDenied):  # an admin role is never given to a token
        await tokens.create_token(admin, name="x", unit_code="509910000000", role="district_admin")


async def test_an_auditor_is_refused_every_change_whatever_the_route(browser_at):
    auditor = await browser_at()
    await auditor.login("auditor")
    unit = await Unit.select(Unit.id, Unit.name).where(Unit.code == "509910102201").first()
    assert (await auditor.get(f"/admin/units/{unit['id']}")).status_code == 200  # may look
    for url, data in [
        (f"/admin/units/{unit['id']}/rename", {"name": "审计改名"}),
        (
            "/admin/staff/",
            {
                "username": "auditmade",
                "display_name": "x",
                "password": "Aa-123456789",
                "unit_code": "509910101000-BM",
                "role": "window_clerk",
            },
        ),
        ("/admin/levels/village/rename", {"name": "x"}),
    ]:
        response = await auditor.post_form(url, data)
        assert response.status_code == 403, url
        assert "您无权执行此操作" in response.text
    assert (await Unit.select(Unit.name).where(Unit.id == unit["id"]).first())["name"] == unit[
        "name"
    ]
    assert not await Staff.exists().where(Staff.username == "auditmade")
    api = await auditor.api("POST", "/api/v1/cases/1/actions", json={"action": "accept"})
    assert api.status_code == 403
    # Logging out is still allowed.
    assert (await auditor.post_form("/logout", {})).status_code == 200


def test_passwords_are_stored_as_argon2id_hashes():
    stored = hash_password("Ganshui-window-77")
    assert stored.startswith("$argon2id$") and "Ganshui-window-77" not in stored
    assert verify_password(stored, "Ganshui-window-77")
    assert not verify_password(stored, "Ganshui-window-78")
    assert not verify_password("not a hash", "Ganshui-window-77")  # a damaged row: refused


async def test_an_outdated_hash_is_upgraded_at_the_next_login(catalogue):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    staff_id = await staff_account("oldhash", "509910101000-BM", "window_clerk")
    await Staff.update({Staff.password_hash: weak.hash(PASSWORD)}).where(Staff.id == staff_id)
    await authenticate("oldhash", PASSWORD)
    stored = (await Staff.select(Staff.password_hash).where(Staff.id == staff_id).first())[
        "password_hash"
    ]
    assert "m=8192" not in stored and verify_password(stored, PASSWORD)


def test_the_password_policy_names_every_problem():
    assert password_problems("Ganshui-window-77", username="wang") == []
    assert password_problems("abc") == [
        "Use at least 10 characters.",
        "Mix at least two kinds of character: letters, digits, symbols.",
        "Use more different characters.",
    ]
    assert password_problems("qwerty12345") == [
        "This password is too well known; choose another one."
    ]
    assert password_problems("demo-clerk") == [
        "This password is too well known; choose another one."
    ]
    assert password_problems("wangfang-2026", username="wangfang") == [
        "Do not put your name or username in the password."
    ]
    assert password_problems("Ab3-" * 70) == ["Use at most 256 characters."]
