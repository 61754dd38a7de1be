"""Server-side sessions whose id is replaced at login (no session fixation).

Sessions live in the site's shared store (:func:`shared_store`): the Redis
named by ``TONGBAN_SESSION_URL``; without it, the broker's Redis when the
broker is one; otherwise files under ``var/sessions`` (shared by every app
process on the machine). A site whose broker may go down without logging
staff out gives sessions a Redis of their own, or ``file:``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.registry import StoreRegistry
from litestar.utils.dataclass import extract_dataclass_items

from core.settings import Settings

log = logging.getLogger("tongban.sessions")
ROTATE_FLAG = "tongban.rotate_session"
LOADED = "tongban.session_loaded"  # (session id, stored bytes) as this request read them
# Session ids are secrets.token_hex(32): anything else in the cookie was not made here.
_WELL_FORMED_ID = re.compile(r"[0-9a-f]{32,128}")
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
        cookie = connection.cookies.get(self.config.key)
        if cookie and cookie != "null" and not _WELL_FORMED_ID.fullmatch(cookie):
            # A tampered cookie ("中", 4 kB of junk …) is no session; never echo it back.
            return self.generate_session_id()
        return super().get_session_id(connection)

    async def load_from_connection(self, connection: ASGIConnection) -> dict:
        if session_id := connection.cookies.get(self.config.key):
            store = self.config.get_store_from_app(connection.scope["app"])
            data = await self.get(session_id, store=store)  # renews its expiry
            if data is not None:
                connection.scope.setdefault("state", {})[LOADED] = (session_id, data)
                return self.deserialize_data(data)
        return {}

    async def store_in_message(self, scope_session, message, connection) -> None:
        state = connection.scope.setdefault("state", {})
        old = connection.cookies.get(self.config.key)
        if old and not _WELL_FORMED_ID.fullmatch(old):
            old = None  # tampered: as if there were no cookie
        if not scope_session and (not old or old == "null") and not state.get(ROTATE_FLAG):
            # An anonymous request (status look-up, API token, probe) has nothing to keep:
            # no store write and no cookie. Otherwise every such request would create a
            # session — a file or Redis key each — and fail whenever Redis is away.
            return
        loaded = state.get(LOADED)
        if (
            scope_session
            and isinstance(scope_session, dict)
            and loaded is not None
            and loaded[0] == old
            and not state.get(ROTATE_FLAG)
            and self.config.renew_on_access
            and self.serialize_data(scope_session, connection.scope) == loaded[1]
        ):
            # Most requests change nothing in the session, and reading it already renewed
            # its expiry: writing the same bytes back would be one more store round trip
            # per request. Only the cookie is sent again, as it would have been.
            params = dict(
                extract_dataclass_items(
                    self.config, exclude_none=True, include=Cookie.__dict__.keys()
                )
            )
            MutableScopeHeaders.from_message(message).add(
                "Set-Cookie", Cookie(value=old, key=self.config.key, **params).to_header(header="")
            )
            return
        if state.get(ROTATE_FLAG) and old and old != "null":
            await self.delete(old, store=self.config.get_store_from_app(connection.scope["app"]))
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class: type[ServerSideSessionBackend] = field(
        default=RotatingSessionBackend, init=False
    )


def session_store(settings: Settings) -> Store:
    return shared_store(settings, "sessions")


def _instance(settings: Settings) -> str:
    """Sites (and test servers) sharing one Redis must not share keys: tag by site and database."""
    digest = hashlib.sha1(settings.database_url.encode()).hexdigest()[:8]
    return f"{settings.site_name}-{digest}"


FILE_STORE = "file:"
SWEEP_INTERVAL = 3600.0  # seconds between two sweeps of a file store, per process


class SweptFileStore(FileStore):
    """A file store that deletes its expired files now and then, as it writes.

    Litestar's deletes an expired file only when its key is read again and leaves the
    rest to ``delete_expired``: a session nobody logged out of, or an address that once
    failed a login, left its file behind for the life of the site. The sweep runs in the
    background (a folder of many files takes a while), one at a time per store.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0
        self._sweeping: asyncio.Task | None = None

    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None):
        await super().set(key, value, expires_in)
        if self._sweeping is None and time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_INTERVAL
            self._sweeping = asyncio.create_task(self._sweep())  # kept: a task needs a holder

    async def _sweep(self) -> None:
        try:
            await self.delete_expired()
        except Exception:  # e.g. a file half written meanwhile: the next sweep has it
            log.warning("sweeping expired entries from %s failed", self.path, exc_info=True)
        finally:
            self._sweeping = None


def store_url(settings: Settings) -> str:
    """Where the shared stores live: ``redis://…`` or ``file:``.

    ``session_url`` when set, else the broker's URL when it is a Redis (as
    before the setting existed), else files.
    """
    url = settings.session_url or settings.broker_url or ""
    if url.startswith(("redis://", "rediss://")):
        return url
    if settings.session_url and url != FILE_STORE:
        raise SystemExit(
            f"Tongban: TONGBAN_SESSION_URL must be redis://…, rediss://… or {FILE_STORE}, "
            f"not {url!r}"
        )
    return FILE_STORE  # an AMQP broker, or none: files


def shared_store(settings: Settings, name: str) -> Store:
    """A store every app process of the site sees: sessions, login throttling, import
    progress. See :func:`store_url` for where."""
    url = store_url(settings)
    if url != FILE_STORE:
        from litestar.stores.redis import RedisStore

        return RedisStore.with_client(url=url, namespace=f"tongban-{_instance(settings)}-{name}")
    return SweptFileStore(settings.var_dir / name, create_directories=True)


def store_registry(settings: Settings) -> StoreRegistry:
    """``sessions`` and any other named store (login throttling, import progress) on demand."""
    return StoreRegistry(
        stores={"sessions": session_store(settings)},
        default_factory=lambda name: shared_store(settings, name),
    )


def https_site(settings: Settings) -> bool:
    """The site is reached over HTTPS: its ``[site] public_url`` is an ``https://`` one.

    Then every cookie is ``Secure``: the browser never sends it over plain HTTP — not on
    the first ``http://`` request typed into a tablet before it has seen the site's HSTS
    header, not to a network that fakes the site. That TLS ends at the proxy changes
    nothing: it is the browser that decides. The embedded demo on ``http://127.0.0.1``
    (or a site without ``public_url``) keeps cookies a plain-HTTP browser sends back.
    """
    url = str(settings.site.get("site", {}).get("public_url") or "")
    return url.strip().lower().startswith("https://")


def session_config(settings: Settings) -> RotatingSessionConfig:
    return RotatingSessionConfig(
        key="tongban_session",
        max_age=8 * 3600,  # a working day
        httponly=True,  # no script reads it
        # Lax, not Strict: a link to a case opened from another application (a chat, a
        # mail) must find the staff member logged in; cross-site POSTs carry no session.
        samesite="lax",
        secure=https_site(settings),
        renew_on_access=True,
        store="sessions",
    )
