"""Public look-ups by tracking code and second factor — the status page, its API, the
rating page — guarded against guessing.

The second factor is the last 4 digits of the applicant's ID or phone number: two
guesses in 10,000 match, and tracking codes follow each other. So wrong digits are
counted per code (10 a day: then the code answers no one until the next day — its
owner can still ask their village agent) and per client address (30 in 15 minutes: one
address cannot walk through many codes). A right answer gives its count back, so a
resident who looks their case up every day never runs into either.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from litestar import Request

from core.cases.status import StatusNotFound, checked_code
from core.errors import TongbanError
from core.i18n import N_
from core.web.throttle import Throttle, client_address

T = TypeVar("T")

STORE = "lookup-throttle"
PER_CODE = (10, 24 * 3600)  # wrong answers, seconds from the first
PER_ADDRESS = (30, 15 * 60)


class CodeLookupsBlocked(TongbanError):
    status_code = 429
    message = N_(
        "Wrong digits were entered for this tracking code too many times today. To protect "
        "the applicant it cannot be looked up again until tomorrow; the village agent who "
        "filed it can tell you its status."
    )


class AddressLookupsBlocked(TongbanError):
    status_code = 429
    message = N_(
        "Too many look-ups with wrong digits from your network. Please try again in 15 minutes."
    )


async def guarded(request: Request, code_input: str, lookup: Callable[[str], Awaitable[T]]) -> T:
    """``lookup(code)`` for the canonical code of ``code_input``, unless the code or the
    client's address has had too many wrong second factors (:class:`StatusNotFound`).
    A mistyped code is refused as such (:class:`InvalidTrackingCodeError`), not counted."""
    code = checked_code(code_input)
    store = request.app.stores.get(STORE)
    by_code = Throttle(store, "code", *PER_CODE)
    by_address = Throttle(store, "address", *PER_ADDRESS)
    address = client_address(request)
    if await by_code.blocked(code):
        raise CodeLookupsBlocked()
    if not await by_address.attempt(address):
        raise AddressLookupsBlocked()
    if not await by_code.attempt(code):  # a burst for this code got here at once
        await by_address.succeeded(address)
        raise CodeLookupsBlocked()
    wrong = False
    try:
        return await lookup(code)
    except StatusNotFound:
        wrong = True
        raise
    finally:
        if not wrong:  # found, or failed for another reason: not a guess
            await by_code.succeeded(code)
            await by_address.succeeded(address)
