"""Who is asking, and the rules every request obeys before any route runs.

The principal comes from the server-side session, or — on ``/api/`` only —
from an ``Authorization: Bearer`` API token. :func:`access_policy` then
enforces, for every route at once:

- a read-only principal (an auditor) changes nothing: any POST, PUT, PATCH
  or DELETE is refused, whatever the route;
- a person who must change their password does that first;
- a state-changing API call made with the session cookie carries the CSRF
  token in ``x-csrftoken`` (double submit: header and cookie must match).
  The CSRF middleware skips ``/api/`` so that department systems with a
  bearer token need none: a browser cannot send that header cross-site.
- an answer to a logged-in person (or an API token) is ``Cache-Control:
  no-store`` unless its route set a policy of its own.

Routes that any logged-in person needs whatever their state (log out, change
password) say so with ``opt={ACCOUNT_ROUTE: True}``.
"""

from __future__ import annotations

from hmac import compare_digest
from urllib.parse import quote

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, generate_csrf_hash
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import PermissionDenied
from core.i18n import N_
from core.tenancy.auth import load_principal
from core.tenancy.scope import Principal
from core.tenancy.tokens import principal_for_token

STATE_KEY = "principal"
BEARER_KEY = "tongban.bearer"
API_PREFIX = "/api/"
ACCOUNT_ROUTE = "account_route"
PASSWORD_PAGE = "/account/password"
PASSWORD_FIRST = N_("Please change your password first.")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Requests that never need a principal: loading one would cost two queries each.
PUBLIC_PREFIXES = ("/static/", "/healthz", "/readyz", "/metrics")


def bearer_secret(connection: ASGIConnection) -> str | None:
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


async def optional_principal(connection: ASGIConnection) -> Principal | None:
    """The caller, loaded once per request (memberships may change between requests)."""
    if STATE_KEY in connection.state:
        return connection.state[STATE_KEY]
    principal = None
    secret = bearer_secret(connection) if connection.url.path.startswith(API_PREFIX) else None
    if secret is not None:
        connection.state[BEARER_KEY] = True
        principal = await principal_for_token(secret)
    elif "session" in connection.scope:
        session = connection.session or {}
        staff_id, epoch = session.get("staff_id"), session.get("epoch", 0)
        if isinstance(staff_id, int) and isinstance(epoch, int):
            principal = await load_principal(staff_id, epoch)
    connection.state[STATE_KEY] = principal
    return principal


async def login_required(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if await optional_principal(connection) is None:
        raise NotAuthorizedException()


def require_roles(*roles: str):
    """A guard admitting staff holding at least one of ``roles``."""

    async def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        principal = await optional_principal(connection)
        if principal is None:
            raise NotAuthorizedException()
        if not principal.has_role(*roles):
            raise PermissionDenied()

    guard.__name__ = f"require_{'_or_'.join(roles)}"
    return guard


async def provide_principal(request: Request) -> Principal:
    principal = await optional_principal(request)
    if principal is None:
        raise NotAuthorizedException()
    return principal


async def provide_optional_principal(request: Request) -> Principal | None:
    return await optional_principal(request)


def _csrf_secret_of(token: str, secret: str) -> str | None:
    if len(token) <= CSRF_SECRET_LENGTH:
        return None
    value, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return value if compare_digest(signature, generate_csrf_hash(value, secret)) else None


def csrf_double_submit_ok(request: Request) -> bool:
    """The ``x-csrftoken`` header and the CSRF cookie hold the same validly signed token."""
    config = request.app.csrf_config
    if config is None:
        return True
    header = request.headers.get(config.header_name, "")
    cookie = request.cookies.get(config.cookie_name, "")
    sent, kept = _csrf_secret_of(header, config.secret), _csrf_secret_of(cookie, config.secret)
    return sent is not None and kept is not None and compare_digest(sent, kept)


def access_policy(app: ASGIApp) -> ASGIApp:
    """ASGI middleware applying the module docstring's rules to every route."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(PUBLIC_PREFIXES):
            await app(scope, receive, send)
            return
        request: Request = Request(scope, receive)
        principal = await optional_principal(request)
        handler = scope.get("route_handler")
        account_route = bool(handler and handler.opt.get(ACCOUNT_ROUTE))
        api = scope["path"].startswith(API_PREFIX)
        unsafe = scope["method"] in UNSAFE
        if principal is None and request.state.get(BEARER_KEY):
            raise NotAuthorizedException("unknown, expired or revoked API token")
        if principal is not None and not account_route:
            if principal.must_change_password:
                if api or unsafe:
                    raise PermissionDenied(PASSWORD_FIRST)
                here = scope["path"] + (f"?{request.url.query}" if request.url.query else "")
                await _redirect(request, send, f"{PASSWORD_PAGE}?next={quote(here)}")
                return
            if unsafe and principal.read_only:
                raise PermissionDenied()
        if (
            api
            and unsafe
            and principal is not None
            and not principal.via_token
            and not csrf_double_submit_ok(request)
        ):
            raise PermissionDeniedException("CSRF token verification failed")
        await app(scope, receive, private_send(send) if principal is not None else send)

    return middleware


def private_send(send: Send) -> Send:
    """Mark an answer to a logged-in person ``no-store`` unless its route chose otherwise:
    a shared proxy must not keep a resident's page, nor a village tablet's browser cache
    it for whoever picks the tablet up after logging out."""

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableScopeHeaders.from_message(message)
            if "cache-control" not in headers:
                headers["cache-control"] = "no-store"
        await send(message)

    return wrapped


async def _redirect(request: Request, send: Send, location: str) -> None:
    if request.headers.get("hx-request"):
        status, headers = 200, [(b"hx-redirect", location.encode())]
    else:
        status, headers = 303, [(b"location", location.encode())]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", b"0"), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
