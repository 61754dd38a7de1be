"""Logged-in people shared by the UI tests: logging in (argon2) is slow by design."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import Browser


@pytest.fixture(scope="session")
async def people(app):
    """``await people("agent")``: that person's browser, logged in once per test session.

    Tests that change a browser's language cookie use ``new_browser`` instead.
    """
    browsers: dict[str, Browser] = {}
    clients: list[httpx.AsyncClient] = []

    async def person(username: str) -> Browser:
        if username not in browsers:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
            )
            clients.append(client)
            browsers[username] = Browser(client)
            await browsers[username].login(username)
        return browsers[username]

    yield person
    for client in clients:
        await client.aclose()


class speaking:
    """``with speaking(browser, "en"):`` — the browser's language for a while, then back."""

    def __init__(self, browser: Browser, locale: str):
        self.browser, self.locale = browser, locale

    def __enter__(self) -> Browser:
        self.browser.client.cookies.set("lang", self.locale)
        return self.browser

    def __exit__(self, *exc) -> None:
        self.browser.client.cookies.delete("lang")
