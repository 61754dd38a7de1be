"""``tongban jobs …``: the messages the workers gave up on, and sending them again."""

from __future__ import annotations

import asyncio
import json

import click


@click.group()
def jobs() -> None:
    """Background jobs: those given up (retries spent), and redoing them."""


async def _with_database(work):
    from core.bootstrap import prepare
    from core.settings import get_settings

    await prepare(get_settings(), load=False)
    return await work


@jobs.command("dead")
@click.option("--limit", default=100, show_default=True, type=int)
def dead_command(limit: int) -> None:
    """List the messages given up, oldest first: outbox id, actor, tries, error."""
    from core.jobs.dead import dead

    rows = asyncio.run(_with_database(dead(limit)))
    if not rows:
        click.echo("no job has been given up")
        return
    for row in rows:
        payload = json.dumps(row["payload"], ensure_ascii=False, sort_keys=True)
        click.echo(
            f"{row['id']}\t{row['actor']}\t{payload}\t{row['attempts']} tries\t"
            f"{row['created_at']:%Y-%m-%d %H:%M}\t{row['last_error'][:200]}"
        )


@jobs.command("redo")
@click.argument("ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Every message given up.")
def redo_command(ids: tuple[int, ...], everything: bool) -> None:
    """Send messages given up (by outbox id, or --all) again, once their cause is mended.

    Actors are idempotent: what a failed try did is not done twice."""
    from core.jobs.dead import redo, settling

    if bool(ids) == everything:
        raise click.UsageError("name outbox ids, or --all")

    async def work() -> tuple[list[int], list[int]]:
        queued = await redo(None if everything else list(ids))
        return queued, ([] if everything else await settling(sorted(set(ids) - set(queued))))

    queued, later = asyncio.run(_with_database(work()))
    click.echo(
        f"{len(queued)} queued again" + (f": {', '.join(map(str, queued))}" if queued else "")
    )
    if later:
        click.echo(
            f"still being given up, try again in a moment: {', '.join(map(str, later))}",
            err=True,
        )
    if not everything and (missing := sorted(set(ids) - set(queued) - set(later))):
        click.echo(f"not given up (left alone): {', '.join(map(str, missing))}", err=True)
