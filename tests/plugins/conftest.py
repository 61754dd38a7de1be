"""Fixtures of the department plugins' tests: demo staff, each logged in once per session.

Logging in verifies an Argon2 hash (about half a second); the plugins' tests
act as a dozen people across many cases, so each person keeps one browser.
"""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import Browser


class Staff:
    """``await staff("taxofficer")``: that demo account's browser, logged in on first use."""

    def __init__(self, app) -> None:
        self.app = app
        self.clients: list[httpx.AsyncClient] = []
        self.browsers: dict[str, Browser] = {}

    async def __call__(self, username: str) -> Browser:
        if username not in self.browsers:
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.app), base_url="http://testserver.local"
            )
            self.clients.append(client)
            browser = Browser(client)
            await browser.login(username)
            self.browsers[username] = browser
        return self.browsers[username]

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


@pytest.fixture(scope="session")
async def staff(app):
    people = Staff(app)
    yield people
    await people.close()
