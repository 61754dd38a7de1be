"""Every hook a Tongban plugin may implement.

Each hook is an empty function whose docstring says when it is called, what it
receives and what it returns. A plugin implements a hook by defining a function
of the same name decorated with ``@core.hookimpl``; it may accept any subset of
the arguments. Hooks that collect return lists (one entry per plugin); hooks
marked ``firstresult`` stop at the first plugin that returns something other
than ``None``. Any hook may return a plain value, a callable or an awaitable:
the core resolves it with :func:`core.plugins.await_me_maybe`.

This module sits at the bottom of the import graph: it imports nothing from core.
"""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("tongban")


# -- declarations: what a plugin offers ----------------------------------------


@hookspec
def tongban_items() -> list[Any]:
    """Return the service items (事项) this plugin offers.

    Called once at start-up. Each entry is an ``core.api.Item``, a dict of the
    same shape, or a ``pathlib.Path`` to a TOML file or to a folder of TOML
    files (one item each). Declarations are checked when loaded: a bad form
    schema, an unknown role or unit kind, an unreachable workflow step or a
    duplicate item code stops start-up with a message naming the plugin and
    the field.
    """


@hookspec
def tongban_unit_kinds() -> list[Any]:
    """Return the unit kinds this plugin adds (``core.api.UnitKind``).

    Example: the bank-outlet plugin adds ``bank_outlet`` allowed at township
    and district level. Called once at start-up.
    """


@hookspec
def tongban_roles() -> list[Any]:
    """Return the staff roles this plugin adds (``core.api.Role``).

    The core's own roles (village agent, window clerk, department reviewer …)
    are registered by the core's default plugin the same way.
    """


@hookspec
def tongban_piccolo_apps() -> list[str]:
    """Return dotted module paths of the plugin's ``piccolo_app`` modules.

    Example: ``["plugins.tax_joint_office.piccolo_app"]`` (each defines
    ``APP_CONFIG``). Their tables get migrated by ``tongban migrate`` like the core's.
    """


@hookspec
def tongban_template_dirs() -> list[Any]:
    """Return folders (``pathlib.Path``) of Jinja2 templates this plugin adds.

    Templates are looked up after the core's, so a plugin should keep its
    templates under a folder named after itself to avoid clashes.
    """


@hookspec
def tongban_locale_dirs() -> list[Any]:
    """Return ``locale`` folders holding ``<lang>/LC_MESSAGES/messages.po``."""


@hookspec
def tongban_route_handlers() -> list[Any]:
    """Return Litestar route handlers or controllers to mount.

    A plugin's routes should live under its own URL prefix
    (``/p/<plugin-name>/…``). Guards from ``core.api`` apply as usual.
    """


# -- behaviour: what a plugin does while cases are handled -----------------------


@hookspec
def tongban_validate_submission(item: Any, values: dict, context: Any) -> list[Any]:
    """Check a submission beyond its form schema.

    Called with the item, the cleaned form values and a read-only
    ``SubmissionContext`` (filing unit, applicant). Return a list of
    ``core.api.FieldError`` (empty or ``None`` when all is well). Called for
    every item; return ``None`` for items that are not yours.
    """


@hookspec
def tongban_computed_fields() -> dict[str, Any]:
    """Return ``{name: function(values) -> value}`` for computed form fields.

    A form field of type ``computed`` names one of these functions; it gets
    the cleaned values of the other fields and returns the value to show.
    """


@hookspec
def tongban_case_event(case: Any, event: Any) -> None:
    """React to a case event after it has been committed.

    Called by the outbox relay, outside the case's transaction, once per
    event; must be idempotent. ``case`` and ``event`` are read-only snapshots.
    """


@hookspec
def tongban_register_commands(cli: Any) -> None:
    """Add subcommands to the ``tongban`` command.

    ``cli`` is the root ``click.Group``; add commands or groups to it, e.g.
    ``@cli.group() def units(): …``. Called once when the command starts.
    """


@hookspec
def tongban_startup(app: Any) -> Any:
    """Called when an app process starts, after migrations are known to be applied.

    May return an awaitable. Use it to warm caches; keep it quick.
    """
