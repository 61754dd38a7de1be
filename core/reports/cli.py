"""``tongban reports …``: reconcile the aggregates, compile monthly reports."""

from __future__ import annotations

import asyncio
import sys

import click


@click.group()
def reports() -> None:
    """Supervision figures: reconciliation and monthly reports."""


async def _prepared():
    from core.bootstrap import prepare
    from core.settings import get_settings

    await prepare(get_settings(), load=False)


@reports.command("reconcile")
@click.option(
    "--days", default=35, show_default=True, type=int, help="Past days whose rows to check."
)
@click.option("--all", "everything", is_flag=True, help="Check every day since the first case.")
@click.option("--dry-run", is_flag=True, help="Report drift; repair nothing.")
def reconcile_command(days: int, everything: bool, dry_run: bool) -> None:
    """Recompute the figures from the cases and report (and repair) any drift.

    Exits with status 1 when drift was found, so a cron job or a monitor notices.
    """
    from core.reports.reconcile import reconcile

    async def go():
        await _prepared()
        return await reconcile(days=None if everything else days, repair=not dry_run)

    run_id, outcome = asyncio.run(go())
    click.echo(
        f"run {run_id}: {outcome.cases_checked} cases checked, "
        f"{outcome.cases_uncounted} uncounted, {outcome.cases_changed} changed; "
        f"{outcome.days_drifted} of {outcome.days_checked} days drifted; "
        f"{outcome.gauges_drifted} gauges drifted"
        + ("" if not outcome.drifted else (" (not repaired)" if dry_run else " (repaired)"))
    )
    for sample in outcome.samples:
        click.echo(f"  {sample}")
    if outcome.drifted:
        sys.exit(1)


@reports.command("compile-monthly")
@click.option("--month", default="", help="YYYY-MM (default: the previous month).")
def compile_command(month: str) -> None:
    """Compile the townships' monthly reports that are missing for a month."""
    from core.reports.monthly import compile_month
    from core.reports.periods import local_today, month_period, previous_month

    period = month_period(month) if month else previous_month(local_today())

    async def go():
        await _prepared()
        return await compile_month(period)

    created = asyncio.run(go())
    click.echo(f"{created} monthly reports compiled for {period:%Y-%m}")
