"""Back up and restore a site: its database and the files under ``var/``.

A backup is a folder:

- ``database.sqlite3`` — made with SQLite's online backup API, a consistent
  copy even while the app writes (WAL included); or ``database.pgdump`` —
  ``pg_dump --format=custom``, one consistent snapshot of PostgreSQL;
- ``files.tar.gz`` — everything else under ``var/``: uploaded materials,
  generated secrets, the demo CA passphrase; sessions, metrics and lock files
  are left out (they are rebuilt);
- ``manifest.json`` — when, which site and engine, and the SHA-256 of
  both files, checked before anything is restored.

Restoring writes the database (PostgreSQL: ``pg_restore --clean`` into the
target database; SQLite: the backup API in reverse) and unpacks the files,
refusing any archive member that would land outside ``var/``. Then
:func:`verify_site` recomputes every case event chain and checkpoint and
re-verifies every signed document — a restore is done only when that passes.
``deploy/README.md`` ("Backup and restore") is the operator's procedure.
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from core.settings import Settings

MANIFEST = "manifest.json"
FILES = "files.tar.gz"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
# Rebuilt on start or meaningless elsewhere; never restored over a live site's.
SKIP = {"sessions", "metrics", "setup.lock", "login-throttle", "lookup-throttle"}


class BackupError(Exception):
    """The backup cannot be made or restored; the message says why."""


@dataclass
class VerifyReport:
    cases: int = 0
    events: int = 0
    checkpoints: int = 0
    documents: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: the newest installed server's, else the one on PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if found:
        return found[-1]
    on_path = shutil.which(name)
    if on_path:
        return on_path
    raise BackupError(f"{name} is not installed (apt-get install postgresql-client)")


def _version_key(path: str) -> float:
    try:
        return float(Path(path).parts[-3])
    except ValueError:
        return 0.0


def _sqlite_path(url: str) -> Path:
    return Path(
        url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else urlparse(url).path
    )


def _skipped(var_dir: Path, member: Path, database: Path | None) -> bool:
    relative = member.relative_to(var_dir)
    if relative.parts and relative.parts[0] in SKIP:
        return True
    return database is not None and member.name.startswith(database.name)


def create_backup(settings: Settings, dest: Path) -> dict:
    """Write a backup of the site to the new folder ``dest``; returns the manifest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    database: Path | None = None
    if settings.is_sqlite:
        database = _sqlite_path(settings.database_url)
        source = sqlite3.connect(database)
        target = sqlite3.connect(dest / SQLITE_FILE)
        try:
            source.backup(target)  # consistent even while other processes write
        finally:
            target.close()
            source.close()
        db_file = SQLITE_FILE
    else:
        db_file = PG_FILE
        _run(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
             "--file", str(dest / PG_FILE), settings.database_url]
        )  # fmt: skip
    var_dir = settings.var_dir.resolve()
    with tarfile.open(dest / FILES, "w:gz") as archive:
        for member in sorted(var_dir.rglob("*")):
            if member.is_file() and not _skipped(var_dir, member, database):
                archive.add(member, arcname=str(member.relative_to(var_dir)), recursive=False)
    manifest = {
        "format": 1,
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "site": settings.site_name,
        "engine": "sqlite" if settings.is_sqlite else "postgresql",
        "database_file": db_file,
        "sha256": {db_file: _sha256(dest / db_file), FILES: _sha256(dest / FILES)},
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def read_manifest(src: Path) -> dict:
    """The manifest, after checking that both files are there and unchanged."""
    path = Path(src) / MANIFEST
    if not path.exists():
        raise BackupError(f"{src} is not a Tongban backup (no {MANIFEST})")
    manifest = json.loads(path.read_text())
    for name, expected in manifest["sha256"].items():
        file = Path(src) / name
        if not file.exists() or _sha256(file) != expected:
            raise BackupError(f"{name} is missing or damaged (checksum mismatch)")
    return manifest


def restore_backup(settings: Settings, src: Path) -> dict:
    """Restore ``src`` into the site ``settings`` names (its database must be empty or
    expendable: PostgreSQL objects are dropped and recreated). Stop the app first."""
    src = Path(src)
    manifest = read_manifest(src)
    engine = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["engine"] != engine:
        raise BackupError(
            f"the backup is of a {manifest['engine']} site; this site runs on {engine} "
            "(move between engines with a migration tool, not a restore)"
        )
    if settings.is_sqlite:
        database = _sqlite_path(settings.database_url)
        database.parent.mkdir(parents=True, exist_ok=True)
        for stale in database.parent.glob(database.name + "-*"):  # old WAL and shm
            stale.unlink()
        source = sqlite3.connect(src / SQLITE_FILE)
        target = sqlite3.connect(database)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _run(
            [pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--exit-on-error", "--single-transaction", "--dbname", settings.database_url,
             str(src / PG_FILE)]
        )  # fmt: skip
    var_dir = settings.var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tarfile.open(src / FILES, "r:gz") as archive:
        # The "data" filter refuses absolute paths, "..", links out of var/ and device files.
        archive.extractall(var_dir, filter="data")
    return manifest


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        shown = [c if "://" not in c else "<database url>" for c in command]  # no password in logs
        raise BackupError(f"{' '.join(shown)} failed: {result.stderr.strip()[-2000:]}")


async def verify_site() -> VerifyReport:
    """Every case chain, every checkpoint and every signed document of the site, re-checked."""
    from core.signing.audit import verify_all
    from core.signing.tables import Document
    from core.signing.verification import verify_code

    report = VerifyReport()
    audit = await verify_all()
    report.cases, report.events, report.checkpoints = audit.cases, audit.events, audit.checkpoints
    report.problems += [str(p) for p in audit.problems]
    last = 0
    while True:
        rows = await (
            Document.select(Document.id, Document.verification_code, Document.title)
            .where(Document.id > last)
            .order_by(Document.id)
            .limit(200)
        )
        if not rows:
            break
        for row in rows:
            last = row["id"]
            outcome = await verify_code(row["verification_code"])
            report.documents += 1
            if outcome.result.status not in ("valid", "revoked"):
                report.problems.append(
                    f"document {row['verification_code']} ({row['title']}): "
                    f"{outcome.result.status} — {outcome.result.reason}"
                )
    return report
