"""Who is asking: the principal loaded from the session, and guards on roles."""

from __future__ import annotations

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler

from core.errors import PermissionDenied
from core.tenancy.auth import load_principal
from core.tenancy.scope import Principal

STATE_KEY = "principal"


async def optional_principal(connection: ASGIConnection) -> Principal | None:
    """The logged-in staff member, loaded once per request (memberships may change)."""
    if STATE_KEY in connection.state:
        return connection.state[STATE_KEY]
    staff_id = connection.session.get("staff_id") if "session" in connection.scope else None
    principal = await load_principal(staff_id) if isinstance(staff_id, int) else None
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
