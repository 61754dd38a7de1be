"""Where sessions live: ``TONGBAN_SESSION_URL`` keeps staff logged in when the broker is down."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore

from core.settings import load_settings
from core.web.app import create_app
from core.web.sessions import FILE_STORE, session_store, store_url
from tests.helpers import Browser

DEAD_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a broker outage


def settings_with(tmp_path, **env: str):
    return load_settings({"TONGBAN_VAR_DIR": str(tmp_path), **env})


def test_sessions_follow_the_broker_unless_told_otherwise(tmp_path):
    assert store_url(settings_with(tmp_path)) == FILE_STORE
    assert isinstance(session_store(settings_with(tmp_path)), FileStore)
    amqp = settings_with(tmp_path, TONGBAN_BROKER_URL="amqp://guest@127.0.0.1:5672/")
    assert store_url(amqp) == FILE_STORE
    redis = settings_with(tmp_path, TONGBAN_BROKER_URL="redis://127.0.0.1:6379/0")
    assert store_url(redis) == "redis://127.0.0.1:6379/0"  # as before the setting existed
    apart = settings_with(
        tmp_path,
        TONGBAN_BROKER_URL="redis://127.0.0.1:6379/0",
        TONGBAN_SESSION_URL="redis://127.0.0.1:6380/2",
    )
    store = session_store(apart)
    assert isinstance(store, RedisStore)
    kwargs = store._redis.connection_pool.connection_kwargs
    assert (kwargs["port"], kwargs["db"]) == (6380, 2)
    files = settings_with(
        tmp_path, TONGBAN_BROKER_URL="redis://127.0.0.1:6379/0", TONGBAN_SESSION_URL="file:"
    )
    assert isinstance(session_store(files), FileStore)


def test_a_session_url_of_another_kind_stops_start_up_with_the_reason(tmp_path):
    wrong = settings_with(tmp_path, TONGBAN_SESSION_URL="memcached://127.0.0.1:11211")
    with pytest.raises(SystemExit, match="TONGBAN_SESSION_URL must be redis://"):
        store_url(wrong)


async def _logged_in_desk(app, username: str, password: str) -> int:
    transport = httpx.ASGITransport(app=app, client=("10.9.7.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
        browser = Browser(c)
        try:
            await browser.login(username, password)
            return (await browser.get("/desk/", follow_redirects=False)).status_code
        except Exception:  # noqa: BLE001 - the store's connection error, as the server sees it
            return 500


async def test_staff_stay_logged_in_through_a_broker_outage_with_their_own_store(site, app):
    # The same site and database, its broker down. With sessions in the broker's Redis,
    # nobody can log in (or stay logged in) …
    shared = create_app(replace(site, broker_url=DEAD_BROKER, session_url=None))
    assert await _logged_in_desk(shared, "clerk", "demo-clerk") != 200
    # … with a session store of their own, the desk opens as usual.
    apart = create_app(replace(site, broker_url=DEAD_BROKER, session_url=FILE_STORE))
    assert await _logged_in_desk(apart, "clerk", "demo-clerk") == 200
