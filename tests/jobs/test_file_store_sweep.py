"""A file store (sessions, login throttling, import progress) does not grow for good.

Litestar's file store deletes an expired entry only when its key is read again. A
session nobody logged out of, an address that once mistyped a password: their keys
are never read again, so each left a file in ``var/`` for the life of the site — one
per session, on every site whose sessions live in files (the embedded default and a
RabbitMQ broker). The store now sweeps its expired files now and then, as it writes.
"""

from __future__ import annotations

import asyncio

from core.settings import load_settings
from core.web import sessions


async def _still_on_disk(store, key: str, timeout: float = 5) -> bool:
    """Whether ``key``'s file is still there after up to ``timeout`` seconds (``exists``
    looks at the file, expired or not)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await store.exists(key):
        if asyncio.get_running_loop().time() > deadline:
            return True
        await asyncio.sleep(0.05)
    return False


async def test_expired_entries_are_swept_from_a_file_store(tmp_path, monkeypatch):
    # raising=False: without the sweep there is no interval to shorten (the test fails below).
    monkeypatch.setattr(sessions, "SWEEP_INTERVAL", 0.0, raising=False)
    settings = load_settings({"TONGBAN_VAR_DIR": str(tmp_path), "TONGBAN_SESSION_URL": "file:"})
    store = sessions.shared_store(settings, "sessions")
    await store.set("abandoned", b"a session nobody logged out of", expires_in=1)
    await asyncio.sleep(1.2)
    await store.set("current", b"a session in use", expires_in=3600)
    assert not await _still_on_disk(store, "abandoned")
    assert await store.get("current") == b"a session in use"
    assert len(list((tmp_path / "sessions").iterdir())) == 1
