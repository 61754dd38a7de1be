"""What every admin console page shares: the guard, the principal, flash notices, forms."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.handlers.base import BaseRouteHandler
from litestar.response import Template

from core.catalog.registry import get_catalog
from core.errors import PermissionDenied, TongbanError
from core.i18n import gettext
from core.tenancy import audit, rules
from core.tenancy.errors import PasswordRejected
from core.tenancy.scope import Principal
from core.web.guards import optional_principal, provide_principal
from core.web.locale import current_locale

FLASH_KEY = "tongban.flash"


async def require_console(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    """Admins manage, auditors inspect; nobody else sees the console."""
    principal = await optional_principal(connection)
    if principal is None:
        raise NotAuthorizedException()
    if not principal.console_access:
        raise PermissionDenied()


class ConsoleController(Controller):
    guards = [require_console]
    dependencies = {"principal": Provide(provide_principal)}
    include_in_schema = False


def t(message: str, **params: Any) -> str:
    """Translate now, for the language of this request."""
    return gettext(current_locale.get(), message, **params)


def flash(request: Request, message: str, **params: Any) -> None:
    """A notice for the next page this person sees (after the redirect)."""
    session = dict(request.session or {})
    session[FLASH_KEY] = [message, params]
    request.set_session(session)


def pop_flash(request: Request) -> str | None:
    session = request.session or {}
    if FLASH_KEY not in session:
        return None
    message, params = session[FLASH_KEY]
    rest = {k: v for k, v in session.items() if k != FLASH_KEY}
    request.set_session(rest)
    return t(message, **params)


def error_text(exc: TongbanError) -> list[str]:
    """An expected refusal as lines to show on the form that caused it."""
    if isinstance(exc, PasswordRejected):
        return [t(p) for p in exc.problems]
    return [t(exc.message, **exc.params)]


async def form_data(request: Request, limit: int = 500) -> dict[str, str]:
    """The posted form as ``{name: first value}``, each value trimmed to ``limit``."""
    form = await request.form()
    return {k: (v if isinstance(v, str) else "")[:limit] for k, v in form.items()}


async def form_list(request: Request, name: str) -> list[str]:
    form = await request.form()
    return [v[:64] for k, v in form.multi_items() if k == name and isinstance(v, str)]


async def page(
    request: Request,
    principal: Principal,
    template: str,
    section: str,
    status: int = 200,
    **context: Any,
) -> Template:
    """Render a console page with the shared context (notices, kinds, roles, levels)."""
    return Template(
        template,
        context={
            "section": section,
            "flash": pop_flash(request),
            "principal": principal,
            **await names(),
            **context,
        },
        status_code=status,
    )


async def names() -> dict[str, Any]:
    """What templates need to name kinds, roles and levels in the reader's language."""
    catalog = get_catalog()
    return {
        "kinds": catalog.unit_kinds,
        "roles": catalog.roles,
        "levels": await rules.load_levels(),
        "action_labels": audit.ACTIONS,
    }
