"""Which failures mean "a dependency is down right now" rather than "a bug".

While PostgreSQL restarts, or Redis (sessions, the broker) is away, requests
fail with driver exceptions. Those are answered with 503 and a ``Retry-After``
— a clear "try again in a minute" — instead of a 500 that looks like a bug;
the app reconnects by itself when the dependency is back (asyncpg's pool
replaces dead connections on the next acquire).
"""

from __future__ import annotations

import errno
import sqlite3

from core.i18n import N_

RETRY_AFTER_SECONDS = 15
MESSAGE = N_("The service is briefly unavailable. Please try again in a minute.")

# SQLSTATE classes: 08 connection exception, 53 insufficient resources,
# 57 operator intervention (admin shutdown, cannot connect now, crash shutdown).
_UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
_NETWORK_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
    errno.EPIPE,
}


def dependency_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the database or Redis is unreachable."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if _is_unavailable(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _is_unavailable(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError):  # refused, reset, pool acquire timeout
        return True
    if isinstance(exc, OSError):
        # asyncio's "Multiple exceptions: … Connect call failed" (several addresses) has no errno.
        return exc.errno in _NETWORK_ERRNOS or "Connect call failed" in str(exc)
    if isinstance(exc, sqlite3.OperationalError):
        return "locked" in str(exc) or "unable to open" in str(exc)
    module = type(exc).__module__ or ""
    if module.startswith("asyncpg"):
        import asyncpg

        if isinstance(exc, asyncpg.exceptions.InternalClientError):
            # "cannot switch to state N; another operation (2) is in progress": the
            # protocol state of a connection whose session the server terminated mid
            # operation (seen while PostgreSQL restarts; asyncpg issues 784, 1069).
            return "another operation" in str(exc)
        if isinstance(exc, asyncpg.exceptions.InterfaceError | asyncpg.PostgresConnectionError):
            return "closed" in str(exc) or isinstance(exc, asyncpg.PostgresConnectionError)
        state = getattr(exc, "sqlstate", "") or ""
        return state[:2] in _UNAVAILABLE_SQLSTATE_CLASSES
    if module.startswith("redis"):
        import redis.exceptions

        return isinstance(exc, redis.exceptions.ConnectionError | redis.exceptions.TimeoutError)
    return False
