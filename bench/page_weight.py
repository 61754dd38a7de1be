"""Page weight on a village connection: what each working page costs to download.

    .venv/bin/python bench/page_weight.py
    .venv/bin/python bench/page_weight.py --later 86400   # the second visit a day later

Builds a scratch demo site (temporary ``var/``, SQLite), files one case the
way an agent does, then, all in one process:

1. **Compression of the real pages** — the workbench, the case page (agent's
   and clerk's), a service guide page and a catalogue search, plus the two
   assets every first visit loads. Each body is compressed with Litestar's own
   compressors (the facades the middleware uses) at gzip -9 (what the app sent
   before brotli: the baseline), gzip -6 and brotli quality 1–11: bytes and
   CPU per response (thread time, repeated for at least 0.1 s per body), and
   the ratio br/gzip -9 of both. Every compressed body is decoded and checked
   against the plain one.
2. **First and second visits** of every working page through the app as it
   is configured, once as a browser over HTTPS asks (``gzip, deflate, br``)
   and once gzip only. A visit fetches the page, the stylesheets and scripts
   it links, its images and the fragments htmx loads at once
   (``hx-trigger="load"``), recursively. The second visit, ``--later``
   seconds after the first (default an hour), goes through a browser cache
   that honours ``Cache-Control`` (``max-age``, ``immutable``, ``no-store``,
   ``no-cache``) and revalidates with ``ETag``/``Last-Modified`` when stale;
   what it prints is bytes transferred (response bodies as sent) and requests.
   The first-load budget (60 KB: HTML + linked assets) is the one
   ``tests/ui/test_page_weight.py`` enforces.
3. **Fragments** htmx swaps in (5 KB budget), br and gzip.
4. Server-side render time of each page (median of 5, in-process), against
   ``/healthz``.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TONGBAN_VAR_DIR"] = tempfile.mkdtemp(prefix="tongban-bench-weight-")
os.environ.setdefault("TONGBAN_SITE", "demo")
os.environ["TONGBAN_DB_POOL"] = "0"
os.environ.pop("TONGBAN_DATABASE_URL", None)
os.environ.pop("TONGBAN_BROKER_URL", None)

import brotli  # noqa: E402

FIRST_LOAD_BUDGET = 60 * 1024
FRAGMENT_BUDGET = 5 * 1024
BROWSER_HTTPS = "gzip, deflate, br"  # what Chromium and Firefox send over TLS
GZIP_ONLY = "gzip"
MIN_TIMING = 0.1  # seconds of CPU per (setting, body)


def decode(raw: bytes, encoding: str | None) -> bytes:
    if encoding == "br":
        return brotli.decompress(raw)
    if encoding == "gzip":
        return gzip.decompress(raw)
    assert not encoding, encoding
    return raw


async def fetch(client, method: str, url: str, accept: str = GZIP_ONLY, **kwargs):
    """(bytes as sent, decoded text, response) of one request."""
    headers = {"Accept-Encoding": accept, **kwargs.pop("headers", {})}
    async with client.stream(method, url, headers=headers, **kwargs) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    body = decode(raw, response.headers.get("content-encoding"))
    return len(raw), body.decode("utf-8", "replace"), response


# --- 1. compression of the real pages ---------------------------------------------------


def settings() -> list[tuple[str, dict]]:
    rows = [
        ("gzip -9 (baseline)", {"backend": "gzip", "gzip_compress_level": 9}),
        ("gzip -6", {"backend": "gzip", "gzip_compress_level": 6}),
    ]
    rows += [(f"br q{q}", {"brotli_quality": q}) for q in range(1, 12)]
    # A smaller window than Litestar's 4 MiB: no cheaper for pages this size.
    rows += [("br q5 lgwin 18", {"brotli_quality": 5, "brotli_lgwin": 18})]
    return rows


def compress_once(config, body: bytes) -> tuple[bytes, str]:
    """``body`` through the facade the middleware uses for ``config``, as it does."""
    from litestar.middleware.compression.gzip_facade import GzipCompression

    buffer = io.BytesIO()
    facade_class = GzipCompression if config.backend == "gzip" else config.compression_facade
    facade = facade_class(buffer=buffer, compression_encoding=facade_class.encoding, config=config)
    facade.write(body)
    facade.close()
    return buffer.getvalue(), facade_class.encoding.value


def measure(config, body: bytes) -> tuple[int, float]:
    """(compressed size, CPU seconds per response), checked by decoding."""
    out, encoding = compress_once(config, body)
    assert decode(out, encoding) == body, "round trip"
    runs, start = 0, time.thread_time()
    while (spent := time.thread_time() - start) < MIN_TIMING:
        compress_once(config, body)
        runs += 1
    return len(out), spent / runs


def compression_table(title: str, bodies: dict[str, bytes], chosen: str) -> None:
    from core.web.compression import compression_config

    plain = sum(len(b) for b in bodies.values())
    print(f"\n{title}: {len(bodies)} responses, {plain:,} B plain")
    print(
        f"{'setting':22} {'bytes':>8} {'÷ gzip-9':>9} {'CPU/resp':>10} {'÷ gzip-9':>9}  "
        + "  ".join(f"{name[:14]:>14}" for name in bodies)
    )
    base_size = base_cpu = None
    for name, overrides in settings():
        config = compression_config(**overrides)
        sizes, cpus = zip(*(measure(config, body) for body in bodies.values()), strict=True)
        size, cpu = sum(sizes), statistics.mean(cpus)
        if base_size is None:
            base_size, base_cpu = size, cpu
        mark = "  ← the app's" if name == chosen else ""
        print(
            f"{name:22} {size:>8,} {size / base_size:>9.2f} {cpu * 1e6:>8.0f}µs {cpu / base_cpu:>9.2f}  "
            + "  ".join(f"{s:>7,}/{c * 1e6:>5.0f}µs" for s, c in zip(sizes, cpus, strict=True))
            + mark
        )


# --- 2. first and second visits -----------------------------------------------------------


class Links(HTMLParser):
    """What a browser loads with a page: stylesheets, scripts, images, htmx ``load`` gets."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, bool]] = []  # (url, is an htmx request)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "") and a.get("href"):
            self.found.append((a["href"], False))
        elif tag in ("script", "img") and a.get("src"):
            self.found.append((a["src"], False))
        if a.get("hx-get") and re.search(r"(^|[\s,])load\b", a.get("hx-trigger") or ""):
            self.found.append((a["hx-get"], True))


def subresources(html: str) -> list[tuple[str, bool]]:
    parser = Links()
    parser.feed(html)
    return [(url, htmx) for url, htmx in parser.found if url.startswith("/")]


@dataclass
class Entry:
    stored_at: float
    max_age: float | None  # None: no freshness given
    no_cache: bool
    etag: str | None
    last_modified: str | None
    text: str


@dataclass
class BrowserCache:
    """An HTTP cache as a browser keeps one (RFC 9111, the parts these pages use); time is
    simulated: ``now`` moves forward between visits."""

    client: object
    accept: str
    now: float = 0.0
    entries: dict[str, Entry] = field(default_factory=dict)

    async def get(self, url: str, htmx: bool) -> tuple[int, int, str]:
        """(bytes transferred, requests, text) for ``url``."""
        headers = {"HX-Request": "true"} if htmx else {}
        entry = self.entries.get(url)
        fresh = entry and not entry.no_cache and entry.max_age is not None
        if fresh and self.now - entry.stored_at < entry.max_age:
            return 0, 0, entry.text  # fresh: not asked for at all
        if entry and entry.etag:
            headers["If-None-Match"] = entry.etag
        elif entry and entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
        size, text, response = await fetch(self.client, "GET", url, self.accept, headers=headers)
        if response.status_code == 304 and entry:
            entry.stored_at = self.now
            return size, 1, entry.text
        assert response.status_code == 200, (url, response.status_code)
        self.store(url, response, text)
        return size, 1, text

    def store(self, url: str, response, text: str) -> None:
        cc = response.headers.get("cache-control", "").lower()
        if "no-store" in cc:
            self.entries.pop(url, None)
            return
        age = re.search(r"max-age=(\d+)", cc)
        self.entries[url] = Entry(
            stored_at=self.now,
            max_age=float(age.group(1)) if age else None,
            no_cache="no-cache" in cc,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            text=text,
        )

    async def visit(self, url: str) -> tuple[int, int, int]:
        """(bytes, requests, bytes of the HTML and the assets it links) of one visit."""
        total, requests, text = await self.get(url, htmx=False)
        first_load = total
        queue = [(u, h, True) for u, h in subresources(text)]
        seen = set()
        while queue:
            sub, htmx, linked = queue.pop(0)
            if (sub, htmx) in seen:
                continue
            seen.add((sub, htmx))
            size, asked, sub_text = await self.get(sub, htmx)
            total += size
            requests += asked
            if linked and not htmx and sub.startswith(("/static/", "/p/")):
                first_load += size
            if htmx:
                queue += [(u, h, False) for u, h in subresources(sub_text)]
        return total, requests, first_load


async def visits(make_client, pages, accept: str, later: float) -> dict[str, tuple]:
    """First visit (empty cache) and second visit (``later`` seconds on) of each page,
    each page in a browser of its own so that no page profits from another's cache."""
    results = {}
    for who, url in pages:
        cache = BrowserCache(make_client(who), accept)
        first = await cache.visit(url)
        cache.now += later
        second = await cache.visit(url)
        results[url] = (first, second)
    return results


async def render_time(client, url: str) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        await client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


async def main(later: float) -> None:
    import httpx

    from core.bootstrap import prepare
    from core.settings import get_settings
    from core.web.app import create_app
    from core.web.compression import BROTLI_QUALITY
    from tests.helpers import Browser
    from tests.ui import flows, media

    await prepare(get_settings())
    app = create_app(get_settings())
    for hook in app.on_startup:
        await hook()
    transport = httpx.ASGITransport(app=app)
    base = "http://bench.local"
    public = httpx.AsyncClient(transport=transport, base_url=base)
    agent = Browser(httpx.AsyncClient(transport=transport, base_url=base))
    clerk = Browser(httpx.AsyncClient(transport=transport, base_url=base))
    await agent.login("agent")
    await clerk.login("clerk")

    resident = await flows.register(
        agent, "周九", flows.new_id_number("19800101"), flows.new_phone()
    )
    await flows.consent(agent, resident)
    photo = flows.upload_id(
        (await flows.upload(agent, "upload.id_card", "id.jpg", media.jpeg(), "image/jpeg")).text
    )
    case_id, code = await flows.file_pension(agent, resident, {"id_card": [photo]})
    print(
        f"load average {os.getloadavg()[0]:.1f}; the app: br quality {BROTLI_QUALITY}, "
        "gzip -9 for browsers without br"
    )

    # 1. Compression of the real pages, plain bodies as the app renders them.
    real = {
        "workbench": (agent.client, "/workbench/"),
        "case (agent)": (agent.client, f"/workbench/cases/{case_id}"),
        "case (clerk)": (clerk.client, f"/cases/{case_id}"),
        "guide item": (public, f"/guide/{flows.PENSION}"),
        "search 养老": (public, "/guide/?q=养老"),
    }
    bodies = {}
    for name, (client, url) in real.items():
        response = await client.get(url, headers={"Accept-Encoding": "identity"})
        assert response.status_code == 200 and "content-encoding" not in response.headers
        bodies[name] = response.content
    assets = {}
    for name in ("app.css", "vendor/htmx.min.js"):
        assets[name] = (await public.get(f"/static/{name}")).content
    chosen = f"br q{BROTLI_QUALITY}"
    compression_table("compression of the real pages", bodies, chosen)
    compression_table("the assets of every first visit (cached a year after)", assets, chosen)

    # 2. First and second visits.
    pages = [
        ("public", "/"),
        ("public", "/login"),
        ("public", f"/status/?code={code}&last4=0000"),
        ("public", f"/guide/{flows.PENSION}"),
        ("public", "/guide/?q=养老"),
        ("agent", "/workbench/"),
        ("agent", f"/workbench/residents/{resident}"),
        ("agent", f"/workbench/residents/{resident}/consent"),
        ("agent", f"/workbench/residents/{resident}/file/{flows.PENSION}/"),
        ("agent", f"/workbench/cases/{case_id}/receipt"),
        ("agent", f"/workbench/cases/{case_id}"),
        ("agent", "/workbench/cases"),
        ("clerk", "/desk/"),
        ("clerk", f"/cases/{case_id}"),
    ]
    cookies = {
        "public": public.cookies,
        "agent": agent.client.cookies,
        "clerk": clerk.client.cookies,
    }

    def make_client(who: str):
        return httpx.AsyncClient(transport=transport, base_url=base, cookies=cookies[who])

    br = await visits(make_client, pages, BROWSER_HTTPS, later)
    gz = await visits(make_client, pages, GZIP_ONLY, later)
    print(
        f"\nfirst visit (empty cache) and second visit {later:,.0f} s later (warm cache), "
        "bytes as sent / requests;\nfirst load = HTML + linked css/js (the 60 KB budget); "
        "br = Accept-Encoding of a browser over HTTPS"
    )
    print(
        f"{'page':46} {'first load br':>13} {'gzip':>7} {'br/gz':>6} {'of 60KB':>8}"
        f" {'1st visit br':>13} {'2nd visit br':>13} {'gzip':>13} {'2nd/1st':>8}"
    )
    totals = [0, 0, 0, 0]
    for _, url in pages:
        (b1, r1, bl1), (b2, r2, _) = br[url]
        (g1, _, gl1), (g2, q2, _) = gz[url]
        totals = [totals[0] + bl1, totals[1] + gl1, totals[2] + b1, totals[3] + b2]
        print(
            f"{url[:46]:46} {bl1:>13,} {gl1:>7,} {bl1 / gl1:>6.2f} {bl1 / FIRST_LOAD_BUDGET:>8.0%}"
            f" {b1:>8,} /{r1:>2} {b2:>8,} /{r2:>2} {g2:>8,} /{q2:>2} {b2 / b1:>8.0%}"
        )
    print(
        f"{'all pages':46} {totals[0]:>13,} {totals[1]:>7,} {totals[0] / totals[1]:>6.2f}"
        f" {'':>8} {totals[2]:>13,} {totals[3]:>13,}"
    )

    # 3. Fragments.
    htmx = {"HX-Request": "true"}
    fragments = [
        (
            "item search (pinyin)",
            agent.client,
            "GET",
            f"/workbench/residents/{resident}",
            {"params": {"q": "cxjm"}, "headers": {**htmx, "HX-Target": "item-list"}},
        ),
        (
            "resident search",
            agent.client,
            "POST",
            "/workbench/residents/search",
            {
                "data": {"by": "phone", "phone": "13900000000", "_csrf_token": agent.csrf},
                "headers": htmx,
            },
        ),
        (
            "live field check",
            agent.client,
            "POST",
            "/workbench/residents/new/check",
            {
                "data": {"_field": "id_number", "id_number": "123", "_csrf_token": agent.csrf},
                "headers": htmx,
            },
        ),
        (
            "form section re-render",
            agent.client,
            "POST",
            f"/forms/{flows.PENSION}/section",
            {"data": {**flows.PENSION_FORM, "_csrf_token": agent.csrf}, "headers": htmx},
        ),
        (
            "fee box",
            agent.client,
            "POST",
            f"/fees/{flows.PENSION}",
            {"data": {**flows.PENSION_FORM, "_csrf_token": agent.csrf}, "headers": htmx},
        ),
        (
            "upload + thumbnail",
            agent.client,
            "POST",
            "/materials/upload",
            {
                "files": {"upload.id_card": ("a.jpg", media.jpeg(), "image/jpeg")},
                "data": {"_csrf_token": agent.csrf},
                "headers": htmx,
            },
        ),
        (
            "case list filter",
            agent.client,
            "GET",
            "/workbench/cases",
            {"params": {"state": "submitted"}, "headers": {**htmx, "HX-Target": "case-list"}},
        ),
        (
            "catalogue search (as typed)",
            public,
            "GET",
            "/guide/",
            {"params": {"q": "养老"}, "headers": htmx},
        ),
        ("applicant card", clerk.client, "GET", f"/residents/of-case/{case_id}", {"headers": htmx}),
        ("case materials", clerk.client, "GET", f"/materials/of-case/{case_id}", {"headers": htmx}),
    ]
    print(f"\n{'fragment':46} {'br':>7} {'gzip':>7} {'br/gz':>6} {'of 5 KB':>8}")
    for name, client, method, url, kwargs in fragments:
        sizes = []
        for accept in (BROWSER_HTTPS, GZIP_ONLY):
            args = {**kwargs, "headers": dict(kwargs.get("headers", {}))}
            size, _, response = await fetch(client, method, url, accept, **args)
            assert response.status_code == 200, (name, response.status_code)
            sizes.append(size)
        print(
            f"{name:46} {sizes[0]:>7,} {sizes[1]:>7,} {sizes[0] / sizes[1]:>6.2f}"
            f" {sizes[0] / FRAGMENT_BUDGET:>8.0%}"
        )

    # 4. Render times.
    health = await render_time(public, "/healthz")
    clients = {"public": public, "agent": agent.client, "clerk": clerk.client}
    print(f"\n{'page':46} {'render':>8} {'÷ /healthz':>10}   (median of 5, in-process, br)")
    for who, url in pages:
        took = await render_time(clients[who], url)
        print(f"{url[:46]:46} {took * 1000:>6.1f}ms {took / health:>10.1f}")

    for hook in app.on_shutdown:
        await hook()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--later", type=float, default=3600, help="seconds between the two visits (3600)"
    )
    asyncio.run(main(parser.parse_args().later))
