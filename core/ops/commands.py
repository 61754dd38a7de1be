"""``tongban backup create|restore|verify`` (see deploy/README.md)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import click


@click.group()
def backup() -> None:
    """Back up and restore the site's database and files."""


@backup.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_create(folder: Path) -> None:
    """Write a consistent backup of the running site to the new FOLDER."""
    from core.ops.backup import BackupError, create_backup
    from core.settings import get_settings

    try:
        manifest = create_backup(get_settings(), folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup of site {manifest['site']} ({manifest['engine']}) written to {folder}")


@backup.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask: the site's current data is replaced.")
def backup_restore(folder: Path, yes: bool) -> None:
    """Replace the site's database and files with the backup in FOLDER, then verify them."""
    from core.ops.backup import BackupError, read_manifest, restore_backup
    from core.settings import get_settings

    settings = get_settings()
    try:
        manifest = read_manifest(folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if not yes:
        click.confirm(
            f"Replace site {settings.site_name}'s data with the backup of {manifest['created_at']}?",
            abort=True,
        )
    try:
        restore_backup(settings, folder)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    # The restored var/ holds the site's own secrets: read the settings again.
    get_settings.cache_clear()
    click.echo("restored; verifying …")
    _verify()


@backup.command("verify")
def backup_verify() -> None:
    """Re-check every event chain, checkpoint and signed document (after a restore)."""
    _verify()


def _verify() -> None:
    from core import db
    from core.ops.backup import verify_site

    async def go():
        await db.start()
        try:
            return await verify_site()
        finally:
            await db.stop()

    report = asyncio.run(go())
    click.echo(
        f"checked {report.cases} cases, {report.events} events, "
        f"{report.checkpoints} checkpoints, {report.documents} documents"
    )
    if report.ok:
        click.echo("OK: every chain, checkpoint and document verifies")
        return
    for problem in report.problems:
        click.echo(f"BROKEN: {problem}")
    sys.exit(1)
