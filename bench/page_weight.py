"""Page weight on a village connection: what each working page costs to download.

    .venv/bin/python bench/page_weight.py

Builds a scratch demo site (temporary ``var/``, SQLite), files one case the
way an agent does, and fetches every working page and every htmx fragment
as a browser would (``Accept-Encoding: gzip``). For each page it prints the
compressed bytes of the HTML and of the first load (HTML + the stylesheet
and scripts it links); the baseline measured in the same run is the fixed
cost every first visit pays — ``app.css`` + ``htmx.min.js`` compressed — and
each figure is also shown against its budget (60 KB first load, 5 KB per
fragment; ``tests/ui/test_page_weight.py`` fails above them).

It also times each page's server-side rendering (median of 5, in-process,
no network) against the baseline of ``/healthz``, the cheapest route.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TONGBAN_VAR_DIR"] = tempfile.mkdtemp(prefix="tongban-bench-weight-")
os.environ.setdefault("TONGBAN_SITE", "demo")
os.environ["TONGBAN_DB_POOL"] = "0"
os.environ.pop("TONGBAN_DATABASE_URL", None)
os.environ.pop("TONGBAN_BROKER_URL", None)

FIRST_LOAD_BUDGET = 60 * 1024
FRAGMENT_BUDGET = 5 * 1024


async def fetch(client, method: str, url: str, **kwargs) -> tuple[int, str]:
    headers = {"Accept-Encoding": "gzip", **kwargs.pop("headers", {})}
    async with client.stream(method, url, headers=headers, **kwargs) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    body = gzip.decompress(raw) if response.headers.get("content-encoding") == "gzip" else raw
    return len(raw), body.decode("utf-8", "replace")


async def main() -> None:
    import httpx

    from core.bootstrap import prepare
    from core.settings import get_settings
    from core.web.app import create_app
    from tests.helpers import Browser
    from tests.ui import flows, media

    await prepare(get_settings())
    app = create_app(get_settings())
    for hook in app.on_startup:
        await hook()
    transport = httpx.ASGITransport(app=app)
    public = httpx.AsyncClient(transport=transport, base_url="http://bench.local")
    agent = Browser(httpx.AsyncClient(transport=transport, base_url="http://bench.local"))
    clerk = Browser(httpx.AsyncClient(transport=transport, base_url="http://bench.local"))
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

    assets = {}
    for asset in ("/static/app.css", "/static/vendor/htmx.min.js", "/static/signature.js"):
        assets[asset], _ = await fetch(public, "GET", asset)
    baseline = assets["/static/app.css"] + assets["/static/vendor/htmx.min.js"]

    pages = [
        (public, "/"),
        (public, "/login"),
        (public, f"/status/?code={code}&last4=0000"),
        (agent.client, "/workbench/"),
        (agent.client, f"/workbench/residents/{resident}"),
        (agent.client, f"/workbench/residents/{resident}/consent"),
        (agent.client, f"/workbench/residents/{resident}/file/{flows.PENSION}/"),
        (agent.client, f"/workbench/cases/{case_id}/receipt"),
        (agent.client, f"/workbench/cases/{case_id}"),
        (agent.client, "/workbench/cases"),
        (clerk.client, "/desk/"),
        (clerk.client, f"/cases/{case_id}"),
    ]
    print(f"baseline (every first visit): app.css + htmx.min.js = {baseline:,} B compressed")
    print(
        f"{'page':58} {'html':>7} {'first load':>11} {'÷ base':>7} {'of 60 KB':>9} {'render':>8} {'÷ /healthz':>10}"
    )
    health = await render_time(public, "/healthz")
    for client, url in pages:
        size, html = await fetch(client, "GET", url)
        linked = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', html)
        total = size
        for asset in linked:
            if asset not in assets:
                assets[asset], _ = await fetch(public, "GET", asset)
            total += assets[asset]
        took = await render_time(client, url)
        print(
            f"{url[:58]:58} {size:>7,} {total:>11,} {total / baseline:>7.2f}"
            f" {total / FIRST_LOAD_BUDGET:>8.0%} {took * 1000:>6.1f}ms {took / health:>10.1f}"
        )

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
        ("applicant card", clerk.client, "GET", f"/residents/of-case/{case_id}", {"headers": htmx}),
        ("case materials", clerk.client, "GET", f"/materials/of-case/{case_id}", {"headers": htmx}),
    ]
    print(f"\n{'fragment':58} {'bytes':>7} {'of 5 KB':>9}")
    for name, client, method, url, kwargs in fragments:
        size, _ = await fetch(client, method, url, **kwargs)
        print(f"{name:58} {size:>7,} {size / FRAGMENT_BUDGET:>8.0%}")

    for hook in app.on_shutdown:
        await hook()


async def render_time(client, url: str) -> float:
    times = []
    for _ in range(5):
        start = time.perf_counter()
        await client.get(url)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


if __name__ == "__main__":
    asyncio.run(main())
