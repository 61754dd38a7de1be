"""Guesses sent all at once get no more tries than guesses sent one after another."""

from __future__ import annotations

import asyncio

from core.web.throttle import LoginThrottle
from tests.security.conftest import PASSWORD, staff_account


async def _wrong_logins(browsers, username_of):
    """Each browser sends one wrong password at the same moment; returns the statuses."""
    for browser in browsers:
        await browser.get("/login")  # the CSRF cookie first, as a page would have it
    answers = await asyncio.gather(
        *(
            browser.post_form("/login", {"username": username_of(i), "password": f"guess-{i}"})
            for i, browser in enumerate(browsers)
        )
    )
    return [answer.status_code for answer in answers]


async def test_a_burst_of_wrong_passwords_locks_the_account(browser_at):
    await staff_account("burstlock", "509910101000-BM", "window_clerk")
    # Twelve guesses from twelve addresses, so that only the account's lockout applies.
    guessers = [await browser_at() for _ in range(12)]
    await _wrong_logins(guessers, lambda i: "burstlock")
    owner = await browser_at()
    right = await owner.post_form("/login", {"username": "burstlock", "password": PASSWORD})
    assert right.status_code == 400 and "尝试次数过多" in right.text
    assert "tongban_session" not in right.cookies


async def test_a_burst_from_one_address_is_throttled_after_the_limit(app, browser_at):
    address = "10.77.9.9"
    throttle = LoginThrottle(app.stores.get("login-throttle"))
    for _ in range(16):  # 16 failed guesses from this address already: four more allowed
        await throttle.failed(address)
    guessers = [await browser_at(address) for _ in range(10)]
    statuses = await _wrong_logins(guessers, lambda i: f"nosuchperson{i}")
    assert sorted(statuses) == [400] * 4 + [429] * 6
    staff = await browser_at(address)
    throttled = await staff.post_form("/login", {"username": "clerk", "password": "demo-clerk"})
    assert throttled.status_code == 429 and "登录失败次数过多" in throttled.text


async def test_right_passwords_sent_at_once_never_lock_the_account(browser_at):
    """One person on two tablets and a phone, or a shared demo account: logging in at the
    same moment is never taken for guessing."""
    await staff_account("burstright", "509910101000-BM", "window_clerk")
    browsers = [await browser_at() for _ in range(8)]
    for browser in browsers:
        await browser.get("/login")
    answers = await asyncio.gather(
        *(b.post_form("/login", {"username": "burstright", "password": PASSWORD}) for b in browsers)
    )
    assert any(a.status_code != 400 for a in answers), [a.status_code for a in answers]
    for answer in answers:
        assert "尝试次数过多" not in answer.text
        if answer.status_code == 400:  # beyond the attempts counted at once: asked to retry
            assert "同时登录" in answer.text, answer.text[:500]
    later = await browser_at()
    again = await later.post_form("/login", {"username": "burstright", "password": PASSWORD})
    assert again.status_code in (200, 302, 303) and "尝试次数过多" not in again.text
