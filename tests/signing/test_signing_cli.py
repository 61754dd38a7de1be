"""`tongban verify` works offline with the root certificate (and CRL) alone; `tongban ca` too."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.signing import authority

from .flows import act, documents_of, file_case, new_id_number, settle
from .licence_plugins import PERMIT_ITEM
from .signing_support import flip

TONGBAN = [sys.executable, "-c", "from core.cli import main; main()"]


async def _tongban(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [*TONGBAN, *args],
        env=env or os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
async def receipt(app, jobs, licence_items, open_browser) -> dict:
    agent = await open_browser("agent")
    case = await file_case(agent, PERMIT_ITEM, "沈十二", new_id_number(), {"shop_name": "沈记"})
    await act("clerk", case["id"], "accept")
    await settle(jobs)
    return (await documents_of(case["id"]))["receipt"]


async def test_verify_offline_with_only_the_root_and_crl(receipt, tmp_path: Path) -> None:
    (tmp_path / "root.pem").write_bytes(await authority.root_pem())
    (tmp_path / "crl.pem").write_bytes(b"".join(await authority.current_crls()))
    (tmp_path / "receipt.pdf").write_bytes(bytes(receipt["pdf"]))
    (tmp_path / "altered.pdf").write_bytes(flip(bytes(receipt["pdf"]), 5000))
    (tmp_path / "certs.pem").write_bytes(b"".join(await authority.leaf_pems()))
    (tmp_path / "chain.pem").write_bytes(b"".join(await authority.issuing_pems()))
    (tmp_path / "rows.json").write_text(json.dumps(receipt["rows"], ensure_ascii=False))
    # No database reachable at all: port 1 refuses; only the files are used.
    offline = os.environ | {"TONGBAN_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    trust = ["--root", str(tmp_path / "root.pem"), "--crl", str(tmp_path / "crl.pem")]
    valid = await _tongban("verify", str(tmp_path / "receipt.pdf"), *trust, env=offline)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert valid.stdout.startswith("VALID") and "赶水镇便民服务中心" in valid.stdout
    altered = await _tongban("verify", str(tmp_path / "altered.pdf"), *trust, env=offline)
    assert altered.returncode == 1 and altered.stdout.startswith("ALTERED")
    qr = await _tongban(
        "verify",
        "--qr",
        receipt["qr_payload"],
        "--rows",
        str(tmp_path / "rows.json"),
        "--certs",
        str(tmp_path / "certs.pem"),
        "--certs",
        str(tmp_path / "chain.pem"),
        *trust,
        env=offline,
    )
    assert qr.returncode == 0, qr.stdout + qr.stderr
    assert "printed data matches: True" in qr.stdout


async def test_ca_status_and_export(tmp_path: Path, receipt) -> None:
    status = await _tongban("ca", "status")
    assert status.returncode == 0, status.stderr
    assert "root" in status.stdout and "issuing" in status.stdout and "unit" in status.stdout
    exported = await _tongban("ca", "export", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    assert (tmp_path / "out" / "root.pem").read_bytes() == await authority.root_pem()
    again = await _tongban("ca", "init", "--passphrase-file", str(tmp_path / "out" / "root.pem"))
    assert again.returncode != 0 and "already exists" in again.stderr
