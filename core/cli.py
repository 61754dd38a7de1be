"""The ``tongban`` command."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import click

from core.settings import get_settings


def _run(coro):
    return asyncio.run(coro)


def cli_locale() -> str:
    """The language of the person at the terminal: ``LC_ALL``, ``LC_MESSAGES`` or
    ``LANG`` when it names one (``zh_CN.UTF-8``, ``en_US.UTF-8``), else the site's."""
    from core.i18n import negotiate

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            language = value.split(".")[0].split("@")[0]
            if language and language not in ("C", "POSIX"):
                return negotiate(language)
            break
    return get_settings().default_locale


def fail(message: str, *more: str, code: int = 1) -> None:
    """Say what is wrong (no traceback: the input was at fault) and exit non-zero."""
    click.echo(message, err=True)
    for line in more:
        click.echo(f"  {line}", err=True)
    sys.exit(code)


@click.group()
def cli() -> None:
    """Tongban (通办): a municipal-to-village government service network."""


def main() -> None:
    """Console entry point: core commands plus those the plugins register."""
    from core.catalog.registry import get_catalog
    from core.plugins import PluginError, get_plugin_manager

    try:
        get_plugin_manager().hook.tongban_register_commands(cli=cli)
        get_catalog()  # every plugin's declarations are checked before any command runs
    except Exception as exc:
        if sys.argv[1:2] != ["plugins"]:
            if not isinstance(exc, PluginError):
                raise
            click.echo(f"Tongban cannot start: {exc}", err=True)
            sys.exit(1)
        # `tongban plugins …` is how a broken plugin gets diagnosed: it must still run.
        from core.catalog.commands import plugins

        cli.add_command(plugins)
    cli()


@cli.command()
def migrate() -> None:
    """Apply every migration (core and plugins) to the site's database."""
    from core.bootstrap import migrate as run_migrations
    from core.bootstrap import setup_lock

    async def go():
        async with setup_lock(get_settings()):
            await run_migrations(quiet=False)

    _run(go())
    click.echo("migrations applied")


@cli.group()
def site() -> None:
    """Site data."""


@site.command("load")
@click.argument("name", required=False)
def site_load(name: str | None) -> None:
    """Load a site's levels, unit tree and staff (idempotent)."""
    if name:
        os.environ["TONGBAN_SITE"] = name
        get_settings.cache_clear()
    from core.bootstrap import prepare

    report = _run(prepare(get_settings()))
    click.echo(
        f"site {get_settings().site_name}: {report.levels} levels, {report.units} units, "
        f"{report.staff} staff, {report.memberships} memberships added"
    )


@cli.group()
def user() -> None:
    """Staff accounts."""


@user.command("create")
@click.argument("username")
@click.option("--name", "display_name", help="Display name (defaults to the username).")
@click.option("--unit", "unit_code", required=True, help="Unit code of the membership.")
@click.option("--role", required=True, help="Role key, e.g. window_clerk.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def user_create(username, display_name, unit_code, role, password) -> None:
    """Create a staff account with one membership."""
    from core.errors import TongbanError
    from core.tenancy.accounts import create_staff
    from core.tenancy.cli import refusal_lines

    try:
        _run(create_staff(username, display_name or username, password, unit_code, role))
    except TongbanError as exc:
        fail(*refusal_lines(exc, cli_locale(), unit_code=unit_code))
    click.echo(f"created {username} ({role} at {unit_code})")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="App processes.")
@click.option(
    "--json-logs/--text-logs",
    default=None,
    help="One JSON object per log line (default: TONGBAN_LOG_FORMAT=json, else text).",
)
@click.option("--log-level", default="info", show_default=True)
@click.option(
    "--graceful-timeout",
    default=30,
    show_default=True,
    type=int,
    help="Seconds to finish in-flight requests after SIGTERM before closing them.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    json_logs: bool | None,
    log_level: str,
    graceful_timeout: int,
) -> None:
    """Serve the site. Without a broker, jobs run in this process (the embedded default)."""
    import uvicorn

    from core.bootstrap import prepare
    from core.ops.logs import configure, json_requested, logging_config

    json_logs = json_requested(json_logs)
    configure(json_logs, log_level)
    settings = get_settings()
    if workers > 1 and settings.embedded_worker:
        # Each process would hold jobs in memory of its own, and `tongban worker` needs
        # a broker to take them from: nothing would run them.
        raise click.UsageError(
            "several app processes need a broker: set TONGBAN_BROKER_URL "
            "(redis://… or amqp://…) and run `tongban worker` beside them"
        )
    _run(prepare(settings, wait=True))  # started before PostgreSQL: wait for it
    if settings.demo:
        _print_demo_accounts(settings, host, port)
    os.environ["TONGBAN_EMBEDDED_JOBS"] = "1" if settings.embedded_worker else "0"
    if workers > 1:
        from core.ops.metrics_dir import prepare_multiprocess_metrics

        prepare_multiprocess_metrics(settings.var_dir)
    # One process (no supervisor): uvicorn finishes a graceful shutdown by restoring the
    # SIGTERM handler it found and re-raising the signal for it (uvicorn's "cooperative
    # signal handling"). Python's default handler lets the signal kill the process
    # (exit code -15), which systemd logs as a failure on every stop: the handler it
    # finds here ends the process with exit code 0 instead. The supervisor of
    # --workers N handles its signals itself and already exits 0.
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        "core.web.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level=log_level,
        log_config=logging_config(json_logs, log_level),
        access_log=False,  # core.ops writes one access line per request, with its request id
        timeout_graceful_shutdown=graceful_timeout,
    )


@cli.command()
@click.option("--threads", default=4, show_default=True, type=int)
@click.option(
    "--json-logs/--text-logs",
    default=None,
    help="One JSON object per log line (default: TONGBAN_LOG_FORMAT=json, else text).",
)
@click.option("--log-level", default="info", show_default=True)
def worker(threads: int, json_logs: bool | None, log_level: str) -> None:
    """Run jobs from the broker and relay the outbox (production).

    SIGTERM stops taking new messages and finishes those in hand; a message
    cut off by a harder stop returns to the broker and is redone (actors are
    idempotent)."""
    from core.jobs.standalone import run_worker
    from core.ops.logs import configure, json_requested

    configure(json_requested(json_logs), log_level)

    settings = get_settings()
    if settings.embedded_worker:
        click.echo("TONGBAN_BROKER_URL is not set: `tongban serve` runs jobs in-process.", err=True)
        sys.exit(2)
    run_worker(threads)


def _stopped(signum, frame) -> None:
    """SIGTERM, once uvicorn has shut down gracefully (or before it started): exit 0."""
    sys.exit(0)


def _print_demo_accounts(settings, host, port) -> None:
    click.echo(f"\n  Tongban demo site on http://{host}:{port}/\n")
    click.echo("  Demo accounts (username / password — role):")
    for entry in settings.site.get("staff", []):
        roles = ", ".join(m["role"] for m in entry.get("memberships", []))
        click.echo(f"    {entry['username']:<12} {entry['password']:<18} {roles}")
    click.echo("")


if __name__ == "__main__":
    main()
