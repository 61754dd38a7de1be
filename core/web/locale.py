"""The request's language: a ``lang`` cookie, else Accept-Language, else zh-CN."""

from __future__ import annotations

from contextvars import ContextVar

from litestar.types import ASGIApp, Receive, Scope, Send

from core.i18n import DEFAULT_LOCALE, LOCALES, negotiate

current_locale: ContextVar[str] = ContextVar("tongban_locale", default=DEFAULT_LOCALE)

COOKIE = "lang"


def locale_from_scope(scope: Scope) -> str:
    headers = {
        k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])
    }
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value in LOCALES:
            return value
    return negotiate(headers.get("accept-language"))


def locale_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            token = current_locale.set(locale_from_scope(scope))
            try:
                await app(scope, receive, send)
            finally:
                current_locale.reset(token)
        else:
            await app(scope, receive, send)

    return middleware
