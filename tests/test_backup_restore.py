"""A backup restored into an empty site verifies: every event chain, every checkpoint,
every signed document. A damaged backup is refused; a restored copy edited afterwards
fails verification."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import subprocess
import sys

from core.cases.tables import Case, CaseEvent
from core.ops.backup import FILES, create_backup
from core.settings import get_settings
from core.signing.audit import make_checkpoint
from core.signing.tables import Document
from tests.helpers import ScratchSite
from tests.signing.flows import (
    AGENT_UNIT,
    act,
    documents_of,
    file_case,
    new_id_number,
    settle,
)

TONGBAN = [sys.executable, "-m", "core.cli"]


async def _tongban(env, *args) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run, [*TONGBAN, *args], env=env, capture_output=True, text=True, timeout=300
    )


async def _tamper(scratch: ScratchSite) -> None:
    """Edit one past event of the restored copy, as someone with database access could."""
    statement = "UPDATE cases_event SET reason = 'edited later' WHERE id = (SELECT min(id) FROM cases_event)"
    if scratch.database:
        import asyncpg

        connection = await asyncpg.connect(scratch.env["TONGBAN_DATABASE_URL"])
        try:
            await connection.execute(statement)
        finally:
            await connection.close()
    else:
        with sqlite3.connect(scratch.var_dir / "tongban.sqlite3") as connection:
            connection.execute(statement)


async def test_backup_restore_verifies_every_signature_and_chain(browser, jobs, tmp_path):
    await browser.login("agent")
    case = await file_case(
        browser,
        "000115002000",
        "赵备份",
        new_id_number(),
        {"contribution_grade": "300", "household_address": AGENT_UNIT},
    )
    await act("clerk", case["id"], "accept")
    await settle(jobs)
    assert await documents_of(case["id"])  # signed receipt and acceptance notice
    await make_checkpoint()
    cases, events, documents = (
        await Case.count(),
        await CaseEvent.count(),
        await Document.count(),
    )
    backup = tmp_path / "backup"
    manifest = await asyncio.to_thread(create_backup, get_settings(), backup)
    assert manifest["engine"] == ("sqlite" if get_settings().is_sqlite else "postgresql")

    async with ScratchSite(tmp_path / "restored-var") as scratch:
        restored = await _tongban(scratch.env, "backup", "restore", str(backup), "--yes")
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "OK: every chain, checkpoint and document verifies" in restored.stdout
        counts = re.search(
            r"checked (\d+) cases, (\d+) events, (\d+) checkpoints, (\d+) documents",
            restored.stdout,
        )
        assert counts and (int(counts[1]), int(counts[2]), int(counts[4])) == (
            cases,
            events,
            documents,
        )
        assert int(counts[3]) >= 1
        # The restored site is whole: its files came back too (the site's data key
        # decrypts what the backup's database holds).
        assert (scratch.var_dir / "data_key").read_text() == (
            get_settings().var_dir / "data_key"
        ).read_text()

        await _tamper(scratch)
        checked = await _tongban(scratch.env, "backup", "verify")
        assert checked.returncode == 1
        assert "BROKEN" in checked.stdout


async def test_a_damaged_backup_is_refused_and_nothing_is_restored(tmp_path):
    backup = tmp_path / "backup"
    await asyncio.to_thread(create_backup, get_settings(), backup)
    archive = backup / FILES
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    async with ScratchSite(tmp_path / "restored-var") as scratch:
        result = await _tongban(scratch.env, "backup", "restore", str(backup), "--yes")
        assert result.returncode != 0
        assert f"{FILES} is missing or damaged" in result.stderr
        assert not (scratch.var_dir / "tongban.sqlite3").exists()
