"""The rating link sent to the applicant: a signed, expiring token naming one case.

``<case id>.<expiry, unix days>.<HMAC-SHA256 over both, 16 bytes, base64url>``,
keyed with a key derived from the site's secret, so a link cannot be forged
for another case or kept alive past its expiry. Whoever holds the link may
rate the case once, exactly like the applicant on the status page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

from core.errors import NotFound
from core.i18n import N_
from core.settings import get_settings

VALID_FOR = timedelta(days=30)


class InvalidLink(NotFound):
    message = N_(
        "This rating link is not valid or has expired. You can still rate on the status page."
    )


def _key() -> bytes:
    return hashlib.sha256(b"tongban-review-link:" + get_settings().secret_key.encode()).digest()


def _mac(case_id: int, expires: int) -> str:
    digest = hmac.new(_key(), f"{case_id}.{expires}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_for(case_id: int, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    expires = int((now + VALID_FOR).timestamp() // 86400)
    return f"{case_id}.{expires}.{_mac(case_id, expires)}"


def case_of(token: str, now: datetime | None = None) -> int:
    """The case a token names; InvalidLink if it is malformed, forged or expired."""
    now = now or datetime.now(UTC)
    try:
        raw_case, raw_expires, mac = token.split(".")
        case_id, expires = int(raw_case), int(raw_expires)
    except ValueError:
        raise InvalidLink() from None
    if not hmac.compare_digest(mac, _mac(case_id, expires)):
        raise InvalidLink()
    if expires < now.timestamp() // 86400:
        raise InvalidLink()
    return case_id


def url_for(case_id: int, now: datetime | None = None) -> str:
    """The link as the applicant receives it (absolute when ``[site] public_url`` is set)."""
    base = str(get_settings().site.get("site", {}).get("public_url", "")).rstrip("/")
    return f"{base}/reviews/r/{token_for(case_id, now)}"
