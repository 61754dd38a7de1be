"""Fixtures of the department plugins' tests: demo staff logged in on first use."""

from __future__ import annotations

import pytest


class Staff:
    """``await staff("taxofficer")``: that demo account's browser, logged in once per test."""

    def __init__(self, new_browser) -> None:
        self.new_browser = new_browser
        self.browsers: dict = {}

    async def __call__(self, username: str):
        if username not in self.browsers:
            browser = await self.new_browser()
            await browser.login(username)
            self.browsers[username] = browser
        return self.browsers[username]


@pytest.fixture
def staff(new_browser) -> Staff:
    return Staff(new_browser)
