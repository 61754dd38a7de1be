"""The catalogue module as a built-in plugin: its tables, pages, templates and commands."""

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.catalog.piccolo_app"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_route_handlers():
    from core.catalog.admin_routes import DelegationAdminController
    from core.catalog.form_routes import FormController
    from core.catalog.guide_routes import GuideController

    return [GuideController, FormController, DelegationAdminController]


@hookimpl
def tongban_register_commands(cli):
    from core.catalog.commands import plugins

    cli.add_command(plugins)


@hookimpl
def tongban_scope_path_columns():
    # Delegation rules and plugin switches follow a unit the admin moves (the audit
    # log keeps the path as it was, beside the unit's code).
    from core.catalog.tables import DelegationRule, PluginSwitch

    return [DelegationRule.unit_path, PluginSwitch.unit_path]


@hookimpl
def tongban_startup(app):
    # Steps no unit of the tree can take yet are logged, not fatal: the city may add the
    # units after installing the plugin (``tongban plugins check`` reports them too).
    from core.catalog.routability import log_gaps

    return log_gaps()
