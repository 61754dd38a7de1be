"""Static files on a slow line: each downloaded once per release, compressed.

Pages link versioned URLs (``?v=`` the content's hash), served for a year
(``immutable``); any other request for the file (the plain name, a bookmark, a page of
the other release mid-deploy) gets the current file, briefly cached.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import httpx

from core import hookimpl
from core.plugins import get_plugin_manager

STATIC = Path(__file__).resolve().parents[2] / "core" / "web" / "static"
YEAR = "public, max-age=31536000, immutable"


def _linked(html: str) -> list[str]:
    return re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', html)


def _max_age(cache_control: str) -> int:
    match = re.search(r"max-age=(\d+)", cache_control)
    return int(match.group(1)) if match else 0


async def test_pages_link_hashed_assets_that_are_cached_for_a_year(browser):
    page = await browser.get("/login")
    assets = _linked(page.text)
    assert len(assets) == 3, assets
    for asset, plain in zip(assets, ("app.css", "vendor/htmx.min.js", "forms.js"), strict=True):
        content = (STATIC / plain).read_bytes()
        digest = hashlib.sha256(content).hexdigest()[:10]
        assert asset == f"/static/{plain}?v={digest}"
        response = await browser.get(asset, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200
        assert response.headers["cache-control"] == YEAR
        assert response.content == content
        assert "set-cookie" not in response.headers, "a cookie would keep caches from sharing it"
    css = await browser.get(assets[0])
    assert css.headers["content-type"].startswith("text/css")
    js = await browser.get(assets[1])
    assert js.headers["content-type"].startswith("text/javascript")


async def test_every_static_link_in_the_workbench_pages_is_hashed(people):
    agent = await people("agent")
    for url in ("/workbench/", "/workbench/cases"):
        html = (await agent.get(url)).text
        assert all(re.search(r"\.(css|js)\?v=[0-9a-f]{10}$", a) for a in _linked(html)), url


async def test_old_urls_keep_working_but_are_not_pinned(browser):
    content = (STATIC / "app.css").read_bytes()
    plain = await browser.get("/static/app.css")
    assert plain.status_code == 200 and plain.content == content
    assert "immutable" not in plain.headers["cache-control"]
    assert 0 < _max_age(plain.headers["cache-control"]) <= 3600
    # A page of the other release asks for its hash: it gets the file it can use now,
    # never cached long under a name that means another content.
    other = await browser.get("/static/app.css?v=0123456789")
    assert other.status_code == 200 and other.content == content
    assert "immutable" not in other.headers["cache-control"]
    assert 0 < _max_age(other.headers["cache-control"]) <= 3600
    assert (await browser.get("/static/nothing.css?v=0123456789")).status_code == 404
    assert (await browser.get("/static/%2e%2e/app.py")).status_code == 404
    assert (await browser.get("/static/vendor/../../app.py")).status_code == 404


async def test_static_files_and_pages_are_gzipped_for_a_browser_that_asks(browser):
    for url in ("/static/app.css", "/static/vendor/htmx.min.js", "/login"):
        async with browser.client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
            raw = b"".join([chunk async for chunk in r.aiter_raw()])
        assert r.headers.get("content-encoding") == "gzip", url
        assert "accept-encoding" in r.headers.get("vary", "").lower(), url
        assert int(r.headers["content-length"]) == len(raw)
        body = gzip.decompress(raw)
        assert len(raw) < len(body), url
        if url.startswith("/static/"):
            assert len(raw) < len(body) / 2, url
            assert body == (STATIC / url.removeprefix("/static/")).read_bytes()
    # Not when the browser cannot take it.
    plain = await browser.get("/static/app.css", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    # A tiny answer is not worth compressing.
    async with browser.client.stream(
        "GET", "/healthz", headers={"Accept-Encoding": "gzip"}
    ) as small:
        assert small.headers.get("content-encoding") is None


async def test_a_plugins_static_files_get_hashed_urls_too(site, tmp_path):
    from core.web.app import create_app
    from core.web.static import static_url

    folder = tmp_path / "static"
    folder.mkdir()
    (folder / "zoo.css").write_text(".zoo { color: green }")

    class Zoo:
        @staticmethod
        @hookimpl
        def tongban_static_dirs():
            return [folder]

    pm = get_plugin_manager()
    pm.register(Zoo, name="zoo")
    try:
        app = create_app(site)
        url = static_url("zoo.css", plugin="zoo")
        digest = hashlib.sha256(b".zoo { color: green }").hexdigest()[:10]
        assert url == f"/p/zoo/static/zoo.css?v={digest}"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
            hashed = await client.get(url)
            assert hashed.status_code == 200 and hashed.text == ".zoo { color: green }"
            assert hashed.headers["cache-control"] == YEAR
            plain = await client.get("/p/zoo/static/zoo.css")
            assert plain.status_code == 200 and "immutable" not in plain.headers["cache-control"]
    finally:
        pm.unregister(name="zoo")
