"""Operations as a built-in plugin: the probe and metrics routes, the request middleware."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_route_handlers():
    from core.ops.routes import OpsController

    return [OpsController]


@hookimpl(tryfirst=True)
def tongban_asgi_middleware():
    # First, i.e. outermost: the latency measured includes every other middleware.
    from core.ops.metrics import request_middleware

    return [request_middleware]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_register_commands(cli):
    from core.ops.commands import backup

    cli.add_command(backup)
