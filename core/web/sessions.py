"""Server-side sessions whose id is replaced at login (no session fixation).

Sessions live in the site's store: Redis when the site has one, otherwise
files under ``var/sessions`` (shared by every app process on the machine).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.stores.file import FileStore

from core.settings import Settings

ROTATE_FLAG = "tongban.rotate_session"
NEW_ID = "tongban.new_session_id"


def rotate_session(connection: ASGIConnection) -> None:
    """Ask for a fresh session id on this response (call at login and logout)."""
    connection.scope.setdefault("state", {})[ROTATE_FLAG] = True


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})
        if state.get(ROTATE_FLAG):
            if NEW_ID not in state:
                state[NEW_ID] = self.generate_session_id()
            return state[NEW_ID]
        return super().get_session_id(connection)

    async def store_in_message(self, scope_session, message, connection) -> None:
        state = connection.scope.setdefault("state", {})
        old = connection.cookies.get(self.config.key)
        if state.get(ROTATE_FLAG) and old and old != "null":
            await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class: type[ServerSideSessionBackend] = field(
        default=RotatingSessionBackend, init=False
    )


def session_store(settings: Settings) -> Store:
    url = settings.broker_url or ""
    if url.startswith(("redis://", "rediss://")):
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=url, namespace=f"tongban-{settings.site_name}-sessions")
    return FileStore(settings.var_dir / "sessions", create_directories=True)


def session_config(settings: Settings) -> RotatingSessionConfig:
    return RotatingSessionConfig(
        key="tongban_session",
        max_age=8 * 3600,  # a working day
        httponly=True,
        samesite="lax",
        secure=False,  # the proxy terminates TLS; see deploy/
        renew_on_access=True,
        store="sessions",
    )
