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

    A plugin's routes must live under its own URL prefix ``/p/<plugin-name>/``
    (``<plugin-name>`` is its entry-point name): a handler mounted elsewhere
    stops start-up. Guards from ``core.api`` apply as usual.
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


# -- fees and payments ------------------------------------------------------------


@hookspec
def tongban_compute_fees(item: Any, values: dict, context: Any) -> list[Any]:
    """Compute the fees (or taxes) an application will cost, before it is filed.

    Called by :func:`core.catalog.fees.compute_fees` for every item, with the
    item, the form values (typed, fresh from the validator, when quoting; as
    stored JSON — ISO dates, decimal strings — when a filed case is assessed)
    and a read-only ``core.api.FeeContext``
    (``item_code``, ``on``: the date the amounts apply — the filing date —,
    ``filing_unit_code``). The agent sees the result before submitting, and
    the same computation is recorded against the case once it is filed.
    Return a list of ``core.api.FeeLine`` (amounts in yuan, at most two
    decimals, never negative; a line of 0.00 shows an exemption), or
    ``None`` for items that are not yours. Fixed fees (``Fee.amount`` set in
    the item's guide) are added by the core; implement this hook for fees
    declared with no amount. Must be a pure function of its arguments: it is
    called again, on the case's stored values and filing date, when the case
    is assessed, and must give the amounts the agent was shown.
    """


@hookspec
def tongban_payment_channels() -> list[Any]:
    """Return the payment channels (``core.api.PaymentChannel``) this plugin provides.

    Called once at start-up. A channel is a way money reaches the government
    (a bank counter, an online gateway): it names the unit kinds and roles of
    the staff who may record a payment through it and the shape of its
    transaction reference. The core keeps funds and receipts apart (收缴分离):
    the channel's staff record the funds received against a case's payment
    code; the core, never the channel or the department, then issues the
    receipt with its own number.
    """


# -- plugin web assets and jobs ---------------------------------------------------


@hookspec
def tongban_static_dirs() -> list[Any]:
    """Return folders (``pathlib.Path``) of static files this plugin serves.

    Called once when the app is built. The files are served, cacheable, at
    ``/p/<plugin-name>/static/<file>`` (``<plugin-name>`` is the entry-point
    name), so a template links them as
    ``/p/my_plugin/static/my_plugin.css``. A folder that does not exist stops
    start-up with the plugin's name.
    """


@hookspec
def tongban_actors() -> list[Any]:
    """Return the Dramatiq actors this plugin adds, or dotted module paths declaring them.

    Called when a worker starts (``tongban worker`` and the embedded worker of
    ``tongban serve``), so the actors exist in the worker process even when the
    plugin's module does not import them itself. Declare an actor with
    ``@dramatiq.actor`` (async functions are fine), make it idempotent and
    let it take ids, not objects; send to it through the outbox
    (``core.api.enqueue_job("actor_name", **ids)`` inside the change's
    transaction), so it runs only after the change has committed.
    """


@hookspec
def tongban_periodic_jobs() -> list[Any]:
    """Return the periodic jobs this plugin runs: ``(actor_name, every_seconds)`` pairs.

    Called by the scheduler of every worker process (``tongban worker`` and the
    embedded worker of ``tongban serve``) on each tick. Each period is cut into
    slots of ``every_seconds`` (a positive whole number); each slot of each job
    is queued once through the outbox however many workers tick, and the
    actor receives it as ``slot=<number>``. Example: the core's deadline sweep
    is ``("sweep_deadlines", 60)``. Declare the actor through
    ``tongban_actors`` and make it idempotent. A malformed entry, an actor no
    plugin declares, or an actor named twice with different periods, stops the
    scheduler with the plugin's name.
    """


# -- signatures and documents (core.signing) -------------------------------------


@hookspec(firstresult=True)
def tongban_signing_backend() -> Any:
    """Return the signature algorithm new keys and certificates are made with.

    Called whenever the site CA issues a certificate or a key is loaded. Return
    an object implementing ``core.signing.backend.SigningBackend`` (for example
    an SM2/SM3 backend for national-standard deployments); the first plugin
    that returns one wins. The core's default is ECDSA P-256 with SHA-256.
    Certificates remember the backend's ``name``, so documents signed before a
    switch stay verifiable.
    """


@hookspec(firstresult=True)
def tongban_render_document(kind: str, item: Any, case: Any, values: dict, holder: Any) -> Any:
    """Lay out a signed document of a case yourself; return ``None`` to let the core do it.

    Called in the worker when a case event produces a document: ``kind`` is
    ``"receipt"`` (受理通知书), ``"refusal"`` (不予受理通知书), ``"supplement"``
    (一次性补正告知书), ``"decision"`` (决定书) or ``"licence"`` (the e-licence an
    item's ``result.licence_type`` issues). ``item`` is the case's item
    version, ``case`` a read-only row (a dict; ``outcome`` is ``"approved"`` or
    ``"denied"`` once decided, which tells the two kinds of ``decision`` apart),
    ``values`` the decrypted form values as stored (JSON) and ``holder`` the
    applicant, an object with the attributes ``name`` and ``id_number_masked``
    (never the full ID number); ``core.testing.render_document`` passes the
    same shapes in a plugin's tests. Return a dict (or object) with ``title``,
    ``rows`` (a list of ``(label, value)`` pairs — what the QR code vouches
    for), optionally ``paragraphs`` and, for licences, ``number`` and
    ``valid_until`` (a date).
    The first plugin that returns something wins; return ``None`` for items
    that are not yours.
    """


# -- cases: routing, bundles, notifications (core.cases) ---------------------------


@hookspec(firstresult=True)
def tongban_route_step(item: Any, step: Any, filing_unit: dict, case: Any) -> str | None:
    """Choose the unit that handles a workflow step, instead of the tree's default.

    Called whenever a step opens: at filing for the acceptance step (``case``
    is then ``None``), and for every later step, each parallel branch and a
    step a case is returned to. ``item`` is the case's item version, ``step``
    the ``core.api.Step``, ``filing_unit`` a dict with ``code``, ``path`` and
    ``level`` of the unit the case was filed at, ``case`` the case row.
    Return the code of an active unit, or ``None`` to let the core resolve
    the step's ``unit_kind`` at its ``level`` from the filing unit up the
    tree. The first plugin that returns a code wins; an unknown or inactive
    code stops the filing (or the step) with a clear message.

    Also called with ``case=None`` for *any* step (later steps and parallel
    branches too, not only the acceptance step) that the tree alone cannot
    route from a place, when the core checks whether an item can be routed at
    all: before a case or a bundle is filed (refused up front, nothing
    written, when no unit would take a step), on the city admin's catalogue
    pages, at start-up and in ``tongban plugins check``. A hook that needs the
    case to answer may raise then: that is taken as "cannot tell" — the step
    is left to the hook for when a case reaches it, not refused — and is not
    reported as an error.
    """


@hookspec
def tongban_before_case_action(case: Any, action: str, item: Any, principal: Any) -> None:
    """Check an action on a case before anything is written; raise to refuse it.

    Called for every action a person takes on a case (``accept``, ``approve``,
    ``issue``, ``claim`` …), before its transaction starts. ``case`` is the
    case row as the person may see it, ``action`` the action's name, ``item``
    the case's item version, ``principal`` the person. Raise a
    ``core.api.TongbanError`` subclass with a translatable message to refuse:
    the person sees the message and nothing changes. Return ``None`` (or an
    awaitable resolving to it) to let the action go ahead. The core's
    payments module refuses ``issue`` while the case's fees are unpaid.
    """


@hookspec
def tongban_issue_hold(case: Any, item: Any) -> Any:
    """Say whether the automatic issue of an approved case must wait, and for what.

    Called when a case whose workflow has no issue step is approved, inside
    the approval's transaction, and again when a hold is released. Return
    ``None`` (or an awaitable resolving to it) to let the result be issued
    now, or a dict of what the case waits for, e.g. ``{"awaiting":
    "payment", "amount": "12600.00", "payment_code": "…"}``: the case stays
    approved, its ``issue_held`` event carries the dict (shown to the
    applicant and to staff as the next step), and the result is issued once
    the holder calls ``core.cases.issuing.release(case_id)`` and no hook
    holds it any more. The core's payments module holds unpaid fees.
    """


@hookspec
def tongban_bundles() -> list[Any]:
    """Return the bundles (一件事) this plugin declares: one application, several cases.

    Called once at start-up. Each entry is a ``core.api.Bundle`` (or a dict of
    the same shape): ``code``, ``name``/``name_en``, ``items`` (two or more
    item codes, from any plugins), ``shared_materials`` (material codes
    collected once for every case) and an optional ``summary``. The applicant
    section is shared by all the bundle's cases. A bundle naming an unknown
    item or material, or a duplicate code, stops start-up with the plugin's
    name.
    """


@hookspec
def tongban_notification_channels() -> list[Any]:
    """Return channels that deliver notifications (SMS, e-mail, an app push …).

    Called in the worker for every notification. Each entry is an object with
    a ``name`` (str) and an async ``send(message)`` method; ``message`` is a
    ``core.api.OutgoingMessage`` (``audience`` "applicant" | "agent" |
    "supervisor", ``subject``, ``body``, ``locale``, ``case_id``,
    ``tracking_code`` and, for the applicant, ``phone``; for staff,
    ``staff_id``). Every message is recorded by the core's default channel
    whatever the plugins do; ``send`` should raise on failure (the failure is
    recorded and the message retried once later) and may be called again for
    the same message after a crash, so pass the message's ``key`` on to a
    provider that de-duplicates.
    """


@hookspec
def tongban_scope_path_columns() -> list[Any]:
    """Return Piccolo columns that hold a copy of a unit's materialised path.

    Example: ``[Case.scope_path]``. Called when an admin moves a unit: inside
    the same transaction every listed column whose value starts with the old
    path (``/…/old-parent/unit/``) gets the new one, so rows filed under the
    moved subtree follow it. Return columns of your own tables only; a column
    listed twice is rewritten once.
    """


@hookspec
def tongban_asgi_middleware() -> list[Any]:
    """Return ASGI middleware that wraps every request of the web app.

    Called once when an app process builds its Litestar app. Each entry is
    anything Litestar accepts in ``middleware=[…]``: a callable taking the
    next ASGI app and returning an ASGI app, or a ``DefineMiddleware``.
    Entries run before the core's own middleware (locale, sessions, access
    policy), in hook call order — the first entry is the outermost — so a
    ``tryfirst=True`` implementation sees every request first and its
    response last (the core's metrics middleware measures that way). Keep
    middleware cheap: it runs on every request, static files included.
    """
