"""Failures counted per key (a client address, a tracking code) in a store every app
process shares: what stops guessing a password, or the second factor of a case.

Each attempt is counted as failed *before* it is checked, and given back if it was
right: guesses sent all at once would otherwise all pass the check before the first
one was counted. Litestar's stores have no atomic increment, so a process counts one
at a time (a lock per event loop); between processes a few guesses may slip through
at once, never many.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass

from litestar.stores.base import Store

_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
    weakref.WeakKeyDictionary()
)


def _counting() -> asyncio.Lock:
    """This event loop's lock: a lock used by two loops (tests, a second app) would fail."""
    loop = asyncio.get_running_loop()
    lock = _locks.get(loop)
    if lock is None:
        lock = _locks[loop] = asyncio.Lock()
    return lock


def client_address(request) -> str:
    """Whom a per-address throttle counts: the client as the proxy reports it."""
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Throttle:
    """At most ``limit`` failures per key within ``window`` seconds of the first."""

    store: Store
    prefix: str
    limit: int
    window: int  # seconds, from the first failure

    def _key(self, who: str) -> str:
        return f"{self.prefix}-" + "".join(ch if ch.isalnum() else "-" for ch in who)[:80]

    async def blocked(self, who: str) -> bool:
        value = await self.store.get(self._key(who))
        return value is not None and int(value) >= self.limit

    async def attempt(self, who: str) -> bool:
        """Count one attempt as failed; False (and nothing counted) when ``who`` is blocked."""
        async with _counting():
            if await self.blocked(who):
                return False
            await self._add(who, 1)
            return True

    async def failed(self, who: str) -> None:
        async with _counting():
            await self._add(who, 1)

    async def succeeded(self, who: str) -> None:
        """The attempt counted by :meth:`attempt` was right after all."""
        async with _counting():
            await self._add(who, -1)

    async def _add(self, who: str, step: int) -> None:
        key = self._key(who)
        value = await self.store.get(key)
        ttl = await self.store.expires_in(key) if value is not None else None
        count = max(int(value) + step if value is not None else step, 0)
        await self.store.set(key, str(count), expires_in=ttl if ttl and ttl > 0 else self.window)


@dataclass(frozen=True)
class LoginThrottle(Throttle):
    """Failed logins per client address. The per-account lockout
    (:mod:`core.tenancy.auth`) stops guessing one password; this stops one address from
    trying many accounts. A success does not reset the count, so one valid account buys
    an attacker no extra guesses."""

    prefix: str = "login"
    limit: int = 20
    window: int = 15 * 60
