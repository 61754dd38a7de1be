"""Starting Tongban twice on the same site loads nothing twice and loses nothing."""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.helpers import DEMO_PASSWORDS, ScratchSite, signature_png, tracking_code_in

TONGBAN = [sys.executable, "-c", "from core.cli import main; main()"]


async def _run(env, *args, timeout=120) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run, [*TONGBAN, *args], env=env, capture_output=True, text=True, timeout=timeout
    )


async def test_two_loads_at_once_load_the_site_exactly_once(tmp_path):
    async with ScratchSite(tmp_path / "var") as site:
        first, second = await asyncio.gather(
            _run(site.env, "site", "load", "demo"), _run(site.env, "site", "load", "demo")
        )
        assert first.returncode == 0, first.stderr
        assert second.returncode == 0, second.stderr
        added = [
            tuple(int(n) for n in re.findall(r"(\d+) (?:levels|units|staff|memberships)", r.stdout))
            for r in (first, second)
        ]
        # One process loaded everything; the other, waiting on the lock, found nothing to do.
        assert sorted(added) == [(0, 0, 0, 0), (4, 48, 19, 25)]  # the demo, plugins included
        again = await _run(site.env, "site", "load", "demo")
        assert "0 levels, 0 units, 0 staff, 0 memberships" in again.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env, port, *args) -> subprocess.Popen:
    process = subprocess.Popen(
        [*TONGBAN, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"server did not start: {process.stdout.read()}")


def _stop(process) -> str:
    process.terminate()
    output, _ = process.communicate(timeout=30)
    return output


def _file_a_case(base: str) -> str:
    with httpx.Client(base_url=base, follow_redirects=True) as client:
        client.get("/login")
        token = client.cookies["tongban_csrf"]
        client.post(
            "/login",
            data={"username": "agent", "password": DEMO_PASSWORDS["agent"], "_csrf_token": token},
        )
        # The resident's authorisation (代办授权) comes first: signed on the agent's tablet.
        consent = client.post(
            "/api/v1/authorisations",
            json={
                "name": "王五",
                "id_number": "11010519491231002X",
                "method": "tablet",
                "image_base64": base64.b64encode(signature_png()).decode(),
            },
            headers={"x-csrftoken": token},
        )
        assert consent.status_code == 201, consent.text
        page = client.post(
            "/file/000115002000",
            data={
                "_csrf_token": token,
                "applicant.name": "王五",
                "applicant.id_number": "11010519491231002X",
                "applicant.phone": "13900139000",
                "contribution_grade": "300",
                "household_address": "509910101201",
            },
        )
        return tracking_code_in(page.text)


def _status(base: str, code: str) -> str:
    return httpx.get(f"{base}/status/", params={"code": code, "last4": "9000"}).text


async def test_serve_twice_on_the_same_site(tmp_path):
    async with ScratchSite(tmp_path / "var") as site:
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        first = await asyncio.to_thread(_start, site.env, port)
        try:
            code = await asyncio.to_thread(_file_a_case, base)
        finally:
            output = await asyncio.to_thread(_stop, first)
        assert re.search(r"agent\s+demo-agent\s+village_agent", output)  # demo accounts printed
        second = await asyncio.to_thread(_start, site.env, port)
        try:
            assert "已提交" in await asyncio.to_thread(_status, base, code)
        finally:
            await asyncio.to_thread(_stop, second)
        counts = await _run(site.env, "site", "load", "demo")
        assert "0 levels, 0 units, 0 staff, 0 memberships" in counts.stdout


async def test_several_app_processes_without_a_broker_are_refused(tmp_path):
    """Each would hold its jobs in memory, and `tongban worker` needs a broker: nothing
    would run them. Refused before anything is made."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TONGBAN_BROKER_URL", "TONGBAN_DATABASE_URL")
    }
    env["TONGBAN_VAR_DIR"] = str(tmp_path / "var")
    result = await _run(env, "serve", "--workers", "2", "--port", str(_free_port()), timeout=60)
    assert result.returncode == 2
    assert "several app processes need a broker: set TONGBAN_BROKER_URL" in result.stderr
    assert not (tmp_path / "var" / "tongban.sqlite3").exists()


def _slow_login(base: str, port: int, sigterm) -> bytes:
    """Log in as the agent with a request whose body arrives in two halves; ``sigterm``
    runs between them, while the request is in flight. Returns the raw response."""
    with httpx.Client(base_url=base) as client:
        client.get("/login")
        csrf = client.cookies["tongban_csrf"]
    body = f"username=agent&password={DEMO_PASSWORDS['agent']}&_csrf_token={csrf}".encode()
    head = (
        "POST /login HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Cookie: tongban_csrf={csrf}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head + body[:10])
        time.sleep(0.5)  # the app has the request and awaits the rest of its body
        sigterm()
        connection.sendall(body[10:])
        response = b""
        while chunk := connection.recv(65536):
            response += chunk
    return response


@pytest.mark.parametrize("workers", [[], ["--workers", "1"]], ids=["default", "workers-1"])
async def test_one_process_stops_on_sigterm_with_exit_code_0(tmp_path, workers):
    """systemd stops the unit with SIGTERM: the request in flight is answered, then
    the process exits 0 (uvicorn alone would re-raise SIGTERM and die by it: -15)."""
    async with ScratchSite(tmp_path / "var") as site:
        port = _free_port()
        process = await asyncio.to_thread(_start, site.env, port, *workers)

        def sigterm():
            process.terminate()
            time.sleep(1)
            assert process.poll() is None, "exited with a request in flight"

        try:
            response = await asyncio.to_thread(
                _slow_login, f"http://127.0.0.1:{port}", port, sigterm
            )
            output, _ = await asyncio.to_thread(process.communicate, timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        # The agent's login went through: redirected, with a session cookie.
        assert response.startswith(b"HTTP/1.1 302"), response[:500]
        assert b"set-cookie: tongban_session=" in response.lower(), response[:1000]
        assert process.returncode == 0, output[-3000:]
        assert "Shutting down" in output
        assert "Traceback" not in output, output[-3000:]
