"""Page weight on a village connection: first load under 60 KB, partial updates under 5 KB.

Measured on the real responses, compressed as the server sends them (gzip,
as a browser asks for it): the HTML plus every stylesheet and script the
page links. Partial updates are the fragments htmx swaps in.
"""

from __future__ import annotations

import gzip
import re

from tests.ui import flows, media

FIRST_LOAD_LIMIT = 60 * 1024
PARTIAL_LIMIT = 5 * 1024
GZIP = {"Accept-Encoding": "gzip"}


async def wire_size(browser, method: str, url: str, **kwargs) -> tuple[int, str, int]:
    """(bytes on the wire, decoded text, status) of one response."""
    headers = {**GZIP, **kwargs.pop("headers", {})}
    async with browser.client.stream(method, url, headers=headers, **kwargs) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    body = gzip.decompress(raw) if response.headers.get("content-encoding") == "gzip" else raw
    return len(raw), body.decode("utf-8", "replace"), response.status_code


async def first_load(browser, url: str) -> int:
    """The page and the assets it links, compressed: what a first visit downloads."""
    size, html, status = await wire_size(browser, "GET", url)
    assert status == 200, (url, status, html[:300])
    assets = re.findall(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"', html)
    # Versioned URLs (core.web.static): downloaded once per release.
    plain = {asset.split("?v=")[0] for asset in assets}
    assert {"/static/app.css", "/static/vendor/htmx.min.js"} <= plain, assets
    for asset in assets:
        asset_size, _, asset_status = await wire_size(browser, "GET", asset)
        assert asset_status == 200, asset
        size += asset_size
    return size


async def test_first_loads_of_every_working_page_stay_under_60_kb(people, new_browser):
    public = await new_browser()
    pages = {}
    for url in ("/", "/login", "/status/"):
        pages[url] = await first_load(public, url)

    agent = await people("agent")
    resident_id = await flows.register(
        agent, "周九", flows.new_id_number("19800101"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    photo = flows.upload_id(
        (await flows.upload(agent, "upload.id_card", "id.jpg", media.jpeg(), "image/jpeg")).text
    )
    case_id, code = await flows.file_pension(agent, resident_id, {"id_card": [photo]})
    for url in (
        "/workbench/",
        "/workbench/residents/new",
        f"/workbench/residents/{resident_id}",
        f"/workbench/residents/{resident_id}/consent",
        f"/workbench/residents/{resident_id}/file/{flows.PENSION}/",
        f"/workbench/cases/{case_id}",
        f"/workbench/cases/{case_id}/receipt",
        "/workbench/cases",
    ):
        pages[url] = await first_load(agent, url)

    clerk = await people("clerk")
    for url in ("/desk/", f"/cases/{case_id}"):
        pages[url] = await first_load(clerk, url)
    pages["/status/?code"] = await first_load(public, f"/status/?code={code}&last4=0000")

    too_heavy = {url: size for url, size in pages.items() if size > FIRST_LOAD_LIMIT}
    assert not too_heavy, too_heavy
    assert min(pages.values()) > 10 * 1024, "htmx and the stylesheet must be counted"


async def test_partial_updates_stay_under_5_kb(people):
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "吴十", flows.new_id_number("19751203"), flows.new_phone()
    )
    htmx = {"HX-Request": "true"}
    csrf = {"x-csrftoken": agent.csrf}
    partials = {
        "item search": (
            "GET",
            f"/workbench/residents/{resident_id}",
            {"params": {"q": "yl"}, "headers": {**htmx, "HX-Target": "item-list"}},
        ),
        "resident search": (
            "POST",
            "/workbench/residents/search",
            {"data": {"by": "phone", "phone": "13900000000"}, "headers": {**htmx, **csrf}},
        ),
        "field check": (
            "POST",
            "/workbench/residents/new/check",
            {"data": {"_field": "id_number", "id_number": "123"}, "headers": {**htmx, **csrf}},
        ),
        "fee box": (
            "POST",
            f"/fees/{flows.PENSION}",
            {"data": dict(flows.PENSION_FORM), "headers": {**htmx, **csrf}},
        ),
        "form section": (
            "POST",
            f"/forms/{flows.PENSION}/section",
            {"data": dict(flows.PENSION_FORM), "headers": {**htmx, **csrf}},
        ),
        "upload": (
            "POST",
            "/materials/upload",
            {
                "files": {"upload.id_card": ("a.jpg", media.jpeg(), "image/jpeg")},
                "headers": {**htmx, **csrf},
            },
        ),
        "case list": (
            "GET",
            "/workbench/cases",
            {"params": {"state": "submitted"}, "headers": {**htmx, "HX-Target": "case-list"}},
        ),
    }
    sizes = {}
    for name, (method, url, kwargs) in partials.items():
        size, text, status = await wire_size(agent, method, url, **kwargs)
        assert status in (200, 422), (name, status, text[:300])
        assert "<html" not in text, f"{name} answered with a whole page"
        sizes[name] = size
    too_heavy = {name: size for name, size in sizes.items() if size > PARTIAL_LIMIT}
    assert not too_heavy, too_heavy
