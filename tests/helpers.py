"""Helpers shared by the tests: a browser-like HTTP client, job draining, page parsing."""

from __future__ import annotations

import asyncio
import re

import httpx

from core.settings import get_settings, site_today  # noqa: F401 - tests take today from here


async def drain(worker) -> None:
    """Relay the outbox, then wait until the worker has finished every message."""
    from dramatiq.brokers.stub import StubBroker

    from core.jobs.broker import QUEUE, broker
    from core.jobs.relay import mark_settled, relay_once

    while await relay_once():
        pass
    if isinstance(broker, StubBroker):  # only the stub broker can re-raise an actor's error
        await asyncio.to_thread(broker.join, QUEUE, fail_fast=True)
    else:
        await asyncio.to_thread(broker.join, QUEUE)
    await asyncio.to_thread(worker.join)
    await mark_settled()  # the embedded default marks a row sent once its job is done


class Browser:
    """An HTTP client that behaves like a browser: cookies, CSRF token, form posts."""

    def __init__(self, client: httpx.AsyncClient):
        self.client = client

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("tongban_csrf", "")

    async def get(self, url: str, **kwargs):
        return await self.client.get(url, **kwargs)

    async def post_form(self, url: str, data: dict | list, **kwargs):
        if not self.csrf:
            await self.client.get("/login")
        pairs = list(data.items()) if isinstance(data, dict) else list(data)
        pairs.append(("_csrf_token", self.csrf))
        form: dict[str, list[str]] = {}
        for name, value in pairs:
            form.setdefault(name, []).append(value)
        return await self.client.post(url, data=form, follow_redirects=True, **kwargs)

    async def api(self, method: str, url: str, json=None):
        if not self.csrf:
            await self.client.get("/login")
        return await self.client.request(
            method, url, json=json, headers={"x-csrftoken": self.csrf, "accept": "application/json"}
        )

    async def login(self, username: str, password: str | None = None):
        password = password or DEMO_PASSWORDS[username]
        response = await self.post_form("/login", {"username": username, "password": password})
        assert response.status_code in (200, 302, 303), response.text
        return response


DEMO_PASSWORDS = {
    entry["username"]: entry["password"] for entry in get_settings().site.get("staff", [])
}


def tracking_code_in(html: str) -> str:
    match = re.search(r'class="code">([0-9X]{18})<', html)
    assert match, "no tracking code on the page"
    return match.group(1)


class ScratchSite:
    """A site with its own var/ folder and, on PostgreSQL, its own fresh database."""

    def __init__(self, var_dir):
        import os
        import uuid

        self.var_dir = var_dir
        self.env = {**os.environ, "TONGBAN_VAR_DIR": str(var_dir)}
        self.database = None
        if get_settings().database_url.startswith("postgres"):
            self.database = f"tongban_t_{uuid.uuid4().hex[:12]}"
            base = get_settings().database_url.rsplit("/", 1)[0]
            self.env["TONGBAN_DATABASE_URL"] = f"{base}/{self.database}"
        self.env.pop("TONGBAN_DATABASE_URL", None) if self.database is None else None

    async def __aenter__(self):
        if self.database:
            await _admin_sql(f'CREATE DATABASE "{self.database}"')
        return self

    async def __aexit__(self, *exc):
        if self.database:
            await _admin_sql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')


async def _admin_sql(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(get_settings().database_url)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def signature_png(width: int = 480, height: int = 160) -> bytes:
    """A PNG like the tablet's signature pad sends: a stroke of ink on a clear canvas."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.line([(30, 120), (120, 40), (200, 110), (300, 50), (440, 100)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def authorise(agent: Browser, name: str, id_number: str, item_code: str = "") -> int:
    """The resident signs the agent's tablet: record the authorisation a proxy filing needs."""
    import base64

    response = await agent.api(
        "POST",
        "/api/v1/authorisations",
        json={
            "name": name,
            "id_number": id_number,
            "method": "tablet",
            "image_base64": base64.b64encode(signature_png()).decode(),
            "item_code": item_code,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]
