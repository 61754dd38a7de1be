"""What an agent does on the workbench, as HTTP calls a browser would make."""

from __future__ import annotations

import base64
import itertools
import re

from stdnum.cn import ric

from tests.helpers import Browser, signature_png

PENSION = "000115002000"
_serial = itertools.count(101)


def new_id_number(birth: str = "19800101", region: str = "500110") -> str:
    """A valid, never-used ID number (GB 11643 check digit), one per call."""
    base = f"{region}{birth}{next(_serial) % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def new_phone() -> str:
    return f"139{next(_serial):08d}"


async def post(browser: Browser, url: str, data: dict | list, *, htmx: bool = False, **kwargs):
    headers = {"HX-Request": "true"} if htmx else {}
    return await browser.post_form(url, data, headers=headers, **kwargs)


async def multipart(browser: Browser, url: str, data: dict, files: dict, *, htmx: bool = False):
    """A multipart form post (uploads), with the CSRF token like the page's own."""
    if not browser.csrf:
        await browser.client.get("/login")
    headers = {"x-csrftoken": browser.csrf}
    if htmx:
        headers["HX-Request"] = "true"
    return await browser.client.post(
        url,
        data={**data, "_csrf_token": browser.csrf},
        files=files,
        headers=headers,
        follow_redirects=True,
    )


async def register(agent: Browser, name: str, id_number: str, phone: str) -> int:
    response = await post(
        agent,
        "/workbench/residents/new",
        {"name": name, "id_number": id_number, "phone": phone},
    )
    assert response.status_code == 200, response.text
    match = re.search(r"/workbench/residents/(\d+)", str(response.url))
    assert match, f"not on the resident's page: {response.url}"
    return int(match.group(1))


async def consent(agent: Browser, resident_id: int) -> None:
    data_url = "data:image/png;base64," + base64.b64encode(signature_png()).decode()
    response = await post(
        agent,
        f"/workbench/residents/{resident_id}/consent",
        {"method": "tablet", "signature": data_url},
    )
    assert response.status_code == 200, response.text
    assert "consented=1" in str(response.url), response.text


async def upload(agent: Browser, slot: str, filename: str, content: bytes, mime: str):
    """Upload one file as the page does (htmx); returns the response."""
    return await multipart(
        agent, "/materials/upload", {}, {slot: (filename, content, mime)}, htmx=True
    )


def upload_id(html: str) -> str:
    match = re.search(r'name="_material\.[a-z0-9_]+" value="([A-Za-z0-9_-]+)"', html)
    assert match, f"no upload in: {html[:500]}"
    return match.group(1)


PENSION_FORM = {
    "contribution_grade": "500",
    "household_address.unit": "509910101201",
    "household_address.detail": "三组12号",
    "remark": "",
}


async def file_pension(
    agent: Browser, resident_id: int, uploads: dict[str, list[str]], **fields
) -> tuple[int, str]:
    """Submit the pension enrolment; returns (case id, tracking code) from the receipt."""
    pairs = list({**PENSION_FORM, **fields}.items())
    for code, ids in uploads.items():
        pairs += [(f"_material.{code}", i) for i in ids]
    response = await post(agent, f"/workbench/residents/{resident_id}/file/{PENSION}/", pairs)
    assert response.status_code == 200, response.text
    match = re.search(r"/workbench/cases/(\d+)/receipt", str(response.url))
    assert match, f"not on the receipt: {response.url}\n{response.text[:3000]}"
    code = re.search(r'class="code big">([0-9X]{18})<', response.text)
    assert code, "no tracking code on the receipt"
    return int(match.group(1)), code.group(1)
