"""`tongban verify` works offline with the root certificate (and CRL) alone; `tongban ca` too.

One real subprocess proves the offline check needs no database; the other
commands run in-process (in a thread, since each runs its own event loop).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.signing import authority
from core.signing.cli import ca, verify

from .flows import act, documents_of, file_case, new_id_number, settle
from .licence_plugins import PERMIT_ITEM
from .signing_support import flip

TONGBAN = [sys.executable, "-c", "from core.cli import main; main()"]


async def _invoke(command, *args: str):
    return await asyncio.to_thread(CliRunner().invoke, command, list(args))


@pytest.fixture(scope="module")
async def receipt(app, jobs, licence_items, open_browser) -> dict:
    agent = await open_browser("agent")
    case = await file_case(agent, PERMIT_ITEM, "沈十二", new_id_number(), {"shop_name": "沈记"})
    await act("clerk", case["id"], "accept")
    await settle(jobs)
    return (await documents_of(case["id"]))["receipt"]


@pytest.fixture(scope="module")
async def trust_files(receipt, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("trust")
    (folder / "root.pem").write_bytes(await authority.root_pem())
    (folder / "crl.pem").write_bytes(b"".join(await authority.current_crls()))
    (folder / "certs.pem").write_bytes(b"".join(await authority.leaf_pems()))
    (folder / "chain.pem").write_bytes(b"".join(await authority.issuing_pems()))
    return folder


async def test_verify_offline_with_only_the_root_and_crl(receipt, trust_files, tmp_path) -> None:
    (tmp_path / "receipt.pdf").write_bytes(bytes(receipt["pdf"]))
    (tmp_path / "altered.pdf").write_bytes(flip(bytes(receipt["pdf"]), 5000))
    # No database is reachable at all (port 1 refuses): only the two files are used.
    offline = os.environ | {"TONGBAN_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    done = await asyncio.to_thread(
        subprocess.run,
        [*TONGBAN, "verify", str(tmp_path / "receipt.pdf"), str(tmp_path / "altered.pdf")]
        + ["--root", str(trust_files / "root.pem"), "--crl", str(trust_files / "crl.pem")],
        env=offline,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # one of the two is altered
    valid, altered = done.stdout.split("altered.pdf:")
    assert "VALID: Signature is valid" in valid and "赶水镇便民服务中心" in valid
    assert "ALTERED:" in altered


async def test_verify_a_qr_payload_against_the_printed_rows(receipt, trust_files, tmp_path):
    rows = [list(r) for r in receipt["rows"]]
    trust = ["--root", str(trust_files / "root.pem"), "--crl", str(trust_files / "crl.pem")]
    certs = ["--certs", str(trust_files / "certs.pem"), "--certs", str(trust_files / "chain.pem")]
    (tmp_path / "rows.json").write_text(json.dumps(rows, ensure_ascii=False))
    qr = ["--qr", receipt["qr_payload"], "--rows", str(tmp_path / "rows.json")]
    ok = await _invoke(verify, *qr, *certs, *trust)
    assert ok.exit_code == 0, ok.output
    assert "printed data matches: True" in ok.output
    rows[0][1] = "500000000000000000"  # a different tracking code typed on the paper
    (tmp_path / "rows.json").write_text(json.dumps(rows, ensure_ascii=False))
    forged = await _invoke(verify, *qr, *certs, *trust)
    assert forged.exit_code == 1 and "Printed data does not match" in forged.output


async def test_ca_status_export_and_refusing_a_second_root(receipt, tmp_path) -> None:
    status = await _invoke(ca, "status")
    assert status.exit_code == 0, status.output
    assert "root" in status.output and "issuing" in status.output
    assert receipt["signer_serial"] in status.output
    exported = await _invoke(ca, "export", str(tmp_path / "out"))
    assert exported.exit_code == 0, exported.output
    assert (tmp_path / "out" / "root.pem").read_bytes() == await authority.root_pem()
    (tmp_path / "pass").write_text("a long enough passphrase")
    again = await _invoke(ca, "init", "--passphrase-file", str(tmp_path / "pass"))
    assert again.exit_code != 0 and "already exists" in again.output
