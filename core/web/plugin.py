"""The web shell as a built-in plugin: log-in, language, start page, health."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_route_handlers():
    from core.web.account import AccountController, PasswordController
    from core.web.home import HomeController
    from core.web.places import PlacesController

    return [AccountController, PasswordController, HomeController, PlacesController]


@hookimpl(tryfirst=True)
def tongban_template_dirs():
    # First, so that base.html and the shared partials are the core's.
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]
