"""Browser tests: the real app, served by uvicorn in a subprocess, driven by Chromium.

What these fixtures give a test (mark it ``@pytest.mark.browser``):

- ``live_server`` (session): ``tongban serve`` started on a free port with its
  own temporary ``TONGBAN_VAR_DIR`` — and, on PostgreSQL, its own fresh
  database (dropped afterwards); the broker is the test run's own
  (``TONGBAN_BROKER_URL``), in which case a ``tongban worker`` runs beside it.
  Ready once ``/healthz`` answers. ``live_server.url`` is its base URL.
- ``chromium`` (session): Debian's ``/usr/bin/chromium`` launched headless
  through Playwright's Python API (``executable_path``; ``playwright install``
  is never needed).
- ``new_page`` (function): opens a page in a fresh browser context — one per
  person, with its own cookies — at the server's URL, in Chinese unless told
  otherwise. Every page is photographed into ``test-artifacts/`` when the test
  ends (a failing test's last screen is there to look at).

Without ``/usr/bin/chromium`` the tests are skipped with a loud reason, except
under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.helpers import ScratchSite

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
TONGBAN = [sys.executable, "-c", "from core.cli import main; main()"]
STARTUP_SECONDS = 90
_skipped_for_chromium: list[str] = []


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if _skipped_for_chromium:
        terminalreporter.write_sep("!", "BROWSER TESTS SKIPPED", red=True, bold=True)
        terminalreporter.write_line(_skipped_for_chromium[0], red=True)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = (
        f"{CHROMIUM} is missing, so the browser tests did not run. "
        "Install it with `./scripts/bootstrap --browser` (Debian's chromium package)."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    _skipped_for_chromium.append(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    var_dir: Path
    env: dict[str, str]
    log: Path
    processes: list[subprocess.Popen] = field(default_factory=list)

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _wait_until_healthy(server: LiveServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"tongban serve exited with {process.returncode}:\n{server.log_tail()}"
            )
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"tongban serve did not become healthy:\n{server.log_tail()}")


@pytest.fixture(scope="session")
async def live_server():
    """``tongban serve`` in a subprocess, on its own site data."""
    require_chromium()  # no point serving pages nobody can look at
    var_dir = Path(tempfile.mkdtemp(prefix="tongban-browser-"))
    async with ScratchSite(var_dir) as site:
        env = {
            **site.env,
            "TONGBAN_SITE": os.environ.get("TONGBAN_SITE", "demo"),
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("TONGBAN_DB_POOL", None)  # the server is a real one: let it pool
        port = _free_port()
        server = LiveServer(f"http://127.0.0.1:{port}", var_dir, env, var_dir / "server.log")
        log = server.log.open("w")
        process = subprocess.Popen(
            [*TONGBAN, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        server.processes.append(process)
        try:
            _wait_until_healthy(server, process)
            if env.get("TONGBAN_BROKER_URL"):
                # With a broker, `serve` leaves the jobs to workers.
                server.processes.append(
                    subprocess.Popen(
                        [*TONGBAN, "worker", "--threads", "2"],
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                    )
                )
            yield server
        finally:
            for running in reversed(server.processes):
                running.terminate()
            for running in server.processes:
                try:
                    running.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    running.kill()
            log.close()


def _fontconfig_with_cjk(folder: Path) -> dict[str, str]:
    """An environment whose fontconfig also knows the CJK font Tongban vendors for its
    PDFs: a bare machine has none, and the screenshots would show boxes for Chinese."""
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{ROOT / 'core' / 'signing' / 'fonts'}</dir>\n"
        f"  <cachedir>{folder / 'cache'}</cachedir>\n</fontconfig>\n"
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.fixture(scope="session")
async def chromium(tmp_path_factory):
    require_chromium()
    from playwright.async_api import async_playwright

    fonts = _fontconfig_with_cjk(tmp_path_factory.mktemp("fontconfig"))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, env=fonts
        )
        yield browser
        await browser.close()


@pytest.fixture
async def new_page(chromium, live_server, request):
    """``await new_page()`` opens a page for one more person (own cookies)."""
    contexts = []
    pages = []

    async def open_one(locale: str = "zh-CN"):
        context = await chromium.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1100, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = await context.new_page()
        pages.append(page)
        return page

    yield open_one
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid.split("::")[-1])
    for n, page in enumerate(pages):
        # A crashed page must not hide the test's own failure.
        with contextlib.suppress(Exception):
            await page.screenshot(path=str(ARTIFACTS / f"{name}-{n + 1}.png"), full_page=True)
    for context in contexts:
        await context.close()
