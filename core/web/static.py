"""Static files, versioned: a tablet downloads each once per release.

Litestar's static files router serves them. Templates link ``{{ static('app.css') }}``,
which adds a hash of the file's content (``/static/app.css?v=3f9a0c1d2e``); a request
whose ``v`` is the current content's hash is cached for a year (``immutable``), since a
release that changes the file changes its URL. Any other request for the file — the
plain name, a bookmark, a page of the other release mid-deploy — gets the current file
with a short cache, never pinned for long under a URL that means other content.

A plugin's files, under ``/p/<plugin>/static/``, work the same way:
``{{ static('zoo.css', plugin='zoo') }}``.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qs

from litestar import Router
from litestar.datastructures import CacheControlHeader, MutableScopeHeaders
from litestar.static_files import create_static_files_router
from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

DIGEST_LENGTH = 10
IMMUTABLE = "public, max-age=31536000, immutable"  # ?v= the current content's hash
SHORT = CacheControlHeader(max_age=300, public=True)  # anything else: re-checked soon

_folders: dict[str, list[Path]] = {}  # the static folders by plugin name ("" for the core)
_digests: dict[Path, tuple[tuple[int, int], str]] = {}


def _digest(path: Path) -> str:
    """The hash of a file's content, read again only when the file changed on disk."""
    stat = path.stat()
    key = (stat.st_mtime_ns, stat.st_size)
    known = _digests.get(path)
    if known is None or known[0] != key:
        known = (key, hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH])
        _digests[path] = known
    return known[1]


def _find(name: str, plugin: str = "") -> Path | None:
    """The file ``name`` names in the plugin's folders (a template's own argument, but
    kept inside the folders all the same)."""
    parts = PurePosixPath(name.lstrip("/")).parts
    if not parts or ".." in parts:
        return None
    for folder in _folders.get(plugin, []):
        candidate = folder.joinpath(*parts).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
            return candidate
    return None


def static_url(name: str, plugin: str = "") -> str:
    """The Jinja global ``static``: ``static('app.css')`` -> ``/static/app.css?v=<hash>``."""
    prefix = f"/p/{plugin}/static" if plugin else "/static"
    url = f"{prefix}/{name.lstrip('/')}"
    path = _find(name, plugin)
    if path is None:
        log.warning("static file %r not found for %s", name, plugin or "the core")
        return url
    return f"{url}?v={_digest(path)}"


def _cache_for_version(app: ASGIApp, plugin: str, prefix: str) -> ASGIApp:
    """Middleware: a year's cache for a response whose ``v`` names the current content."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [""])[0]
        path = _find(scope["path"].removeprefix(prefix), plugin) if wanted else None
        if path is None or _digest(path) != wanted:
            await app(scope, receive, send)
            return

        async def send_immutable(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)["Cache-Control"] = IMMUTABLE
            await send(message)

        await app(scope, receive, send_immutable)

    return middleware


def static_files_router(
    path: str, directories: list[Path], *, name: str, plugin: str = ""
) -> Router:
    """Litestar's static files router for ``directories`` under ``path``, its files
    linked by ``static(file, plugin=plugin)`` in templates."""
    _folders[plugin] = [Path(d) for d in directories]
    return create_static_files_router(
        path=path,
        directories=directories,
        name=name,
        cache_control=SHORT,
        include_in_schema=False,
        middleware=[lambda app: _cache_for_version(app, plugin, path.rstrip("/"))],
    )
