"""City admin pages: delegation of items (事项下沉) and plugins switched off per subtree.

Server-rendered with htmx: a change re-renders only the affected section;
without JavaScript the same forms post and redirect back.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.catalog import delegation_admin as admin
from core.catalog import routability
from core.catalog.registry import get_catalog
from core.errors import TongbanError
from core.i18n import gettext
from core.tenancy.scope import ADMINISTRATIVE_KINDS, Principal
from core.tenancy.tables import LevelRow, Unit
from core.web.guards import provide_principal, require_roles
from core.web.locale import current_locale

PREFIX = "/admin/catalog"


async def _admin_units(principal: Principal) -> list[dict]:
    """Administrative units inside the admin's subtrees, for the subtree chooser."""
    roots = [m.unit_path for m in principal.memberships_with(admin.ADMIN_ROLE)]
    rows = await Unit.select(Unit.code, Unit.name, Unit.name_en, Unit.path, Unit.level).where(
        Unit.kind.is_in(sorted(ADMINISTRATIVE_KINDS)) & (Unit.active == True)  # noqa: E712
    )
    rows = [r for r in rows if any(r["path"].startswith(root) for root in roots)]
    return sorted(rows, key=lambda r: r["path"])


async def _levels() -> list[dict]:
    return await LevelRow.select(LevelRow.key, LevelRow.name, LevelRow.name_en).order_by(
        LevelRow.depth
    )


async def _routing_gaps(items) -> dict[str, list[str]]:
    """``{item code: [message]}``: steps the unit tree cannot route yet, in the page's language."""
    tree, report = await routability.site_gaps(items)
    locale = current_locale.get()
    return {
        code: [routability.describe(gap, tree, locale) for gap in gaps]
        for code, gaps in report.items()
    }


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: (v if isinstance(v, str) else "")[:500] for k, v in form.items()}


class DelegationAdminController(Controller):
    path = PREFIX
    guards = [require_roles(admin.ADMIN_ROLE)]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="catalog.admin")
    async def index(self, principal: NamedDependency[Principal]) -> Template:
        catalog = get_catalog()
        return Template(
            "catalog/admin_index.html",
            context={
                "items": list(catalog.items.values()),
                "item_plugin": catalog.item_plugin,
                "routing_gaps": await _routing_gaps(catalog.items.values()),
                "plugins": sorted(set(catalog.item_plugin.values())),
                "switches": await admin.plugin_switches(),
                "units": await _admin_units(principal),
                "history": await admin.history(limit=20),
                "message": None,
            },
        )

    @get("/items/{code:str}", name="catalog.admin.item")
    async def item(self, principal: NamedDependency[Principal], code: FromPath[str]) -> Template:
        return await self._item_page(principal, code[:32])

    async def _item_page(
        self, principal: Principal, code: str, *, message: str | None = None, status: int = 200
    ) -> Template:
        catalog = get_catalog()
        if code not in catalog.items:
            raise admin.UnknownItem()
        return Template(
            "catalog/admin_item.html",
            context={
                "item": catalog.items[code],
                "plugin": catalog.item_plugin[code],
                "routing_gaps": (await _routing_gaps([catalog.items[code]])).get(code, []),
                "rules": await admin.rules_for_item(code),
                "units": await _admin_units(principal),
                "levels": await _levels(),
                "history": await admin.history(item_code=code, limit=20),
                "message": message,
            },
            status_code=status,
        )

    @post("/items/{code:str}/rules", name="catalog.admin.rule")
    async def set_rule(
        self, request: Request, principal: NamedDependency[Principal], code: FromPath[str]
    ) -> Template | Redirect:
        form = await _form(request)
        try:
            if form.get("op") == "clear":
                await admin.clear_rule(
                    principal,
                    item_code=code[:32],
                    unit_code=form.get("unit", ""),
                    level=form.get("level", ""),
                    reason=form.get("reason", ""),
                )
            else:
                await admin.set_rule(
                    principal,
                    item_code=code[:32],
                    unit_code=form.get("unit", ""),
                    level=form.get("level", ""),
                    allow=form.get("effect") == "allow",
                    reason=form.get("reason", ""),
                )
        except TongbanError as exc:
            if exc.status_code == 403 or isinstance(exc, admin.UnknownItem):
                raise
            message = gettext(current_locale.get(), exc.message, **exc.params)
            return await self._item_page(principal, code[:32], message=message, status=422)
        if request.headers.get("hx-request"):
            return await self._item_page(principal, code[:32])
        return Redirect(f"{PREFIX}/items/{code[:32]}")

    @post("/plugins", name="catalog.admin.plugins")
    async def switch_plugin(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Redirect:
        form = await _form(request)
        await admin.switch_plugin(
            principal,
            plugin=form.get("plugin", "")[:64],
            unit_code=form.get("unit", ""),
            enabled=form.get("enabled") == "1",
            reason=form.get("reason", ""),
        )
        return Redirect(f"{PREFIX}/")
