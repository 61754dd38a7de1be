"""Cookies: a site served over HTTPS never lets the browser send its session or CSRF
cookie over plain HTTP; no script reads either; the HTTP demo keeps working."""

from __future__ import annotations

import dataclasses
from http.cookies import SimpleCookie

import httpx
import pytest

from core.web.app import create_app
from core.web.sessions import https_site
from tests.helpers import DEMO_PASSWORDS, Browser

HOST = "tongban.example.gov.cn"


def _attributes(response: httpx.Response) -> dict[str, dict[str, str | bool]]:
    """Each cookie the answer sets, with its attributes (``secure``, ``httponly`` …)."""
    found = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            found[name] = {
                "secure": morsel["secure"] is True,
                "httponly": morsel["httponly"] is True,
                "samesite": morsel["samesite"].lower(),
            }
    return found


@pytest.fixture
async def https_app(site):
    settings = dataclasses.replace(
        site, site={**site.site, "site": {**site.site["site"], "public_url": f"https://{HOST}"}}
    )
    assert https_site(settings)
    return create_app(settings)


async def test_an_https_site_marks_its_cookies_secure(https_app):
    transport = httpx.ASGITransport(app=https_app)
    async with httpx.AsyncClient(transport=transport, base_url=f"https://{HOST}") as client:
        staff = Browser(client)
        page = await client.get("/login")
        csrf = _attributes(page)["tongban_csrf"]
        assert csrf == {"secure": True, "httponly": True, "samesite": "lax"}
        # The page brings the token itself: nothing needs to read the cookie.
        assert f'value="{staff.csrf}"' in page.text and staff.csrf

        login = await client.post(
            "/login",
            data={
                "username": "clerk",
                "password": DEMO_PASSWORDS["clerk"],
                "_csrf_token": staff.csrf,
            },
        )
        assert login.status_code in (302, 303), login.text[:300]
        session = _attributes(login)["tongban_session"]
        assert session == {"secure": True, "httponly": True, "samesite": "lax"}
        desk = await client.get("/desk/")
        assert desk.status_code == 200
        # Renewed on each request: still Secure when sent again unchanged.
        assert _attributes(desk)["tongban_session"]["secure"] is True

        # The same browser, on a plain-HTTP link to the site (before HSTS is known or
        # through a network that strips it): the session does not travel with it.
        plain = await client.get(f"http://{HOST}/desk/")
        assert plain.request.headers.get("cookie") is None
        assert plain.status_code in (302, 303, 401)


async def test_the_http_demo_keeps_cookies_a_plain_http_browser_returns(browser):
    page = await browser.get("/login")
    assert _attributes(page)["tongban_csrf"] == {
        "secure": False,
        "httponly": True,
        "samesite": "lax",
    }
    login = await browser.client.post(
        "/login",
        data={
            "username": "clerk",
            "password": DEMO_PASSWORDS["clerk"],
            "_csrf_token": browser.csrf,
        },
    )
    assert _attributes(login)["tongban_session"] == {
        "secure": False,
        "httponly": True,
        "samesite": "lax",
    }
    assert (await browser.get("/desk/")).status_code == 200


@pytest.mark.parametrize(
    ("public_url", "secure"),
    [
        ("https://tongban.example.gov.cn", True),
        ("HTTPS://tongban.example.gov.cn/", True),
        ("http://127.0.0.1:8000", False),
        ("", False),
        (None, False),
    ],
)
def test_cookies_are_secure_exactly_when_the_public_url_is_https(site, public_url, secure):
    meta = {} if public_url is None else {"public_url": public_url}
    settings = dataclasses.replace(site, site={"site": meta})
    assert https_site(settings) is secure
