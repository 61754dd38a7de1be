"""Public pages of the service guide (办事指南): no login, Chinese and English."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Template

from core.catalog import delegation, guide
from core.catalog.labels import LABELS
from core.catalog.registry import get_catalog
from core.errors import NotFound, TongbanError
from core.tenancy.tables import LevelRow


class ItemNotFound(NotFound):
    pass


async def _level_names() -> dict[str, dict]:
    return {
        r["key"]: r for r in await LevelRow.select(LevelRow.key, LevelRow.name, LevelRow.name_en)
    }


def _as_unit(place: guide.Place) -> dict:
    return {"code": place.code, "path": place.path, "level": place.level, "name": place.name}


class GuideController(Controller):
    path = "/guide"

    @get("/", name="guide.index")
    async def index(
        self,
        q: FromQuery[str] = "",
        village: FromQuery[str] = "",
        place: FromQuery[list[str] | None] = None,
    ) -> Template:
        # ``village`` is the link form (/guide/?village=CODE); ``place`` the cascade's drop-downs.
        unit = await guide.resolve([village] if village else [p for p in (place or [])[:8] if p])
        units = await guide.chain(unit)  # read once, for the items and the drop-downs
        chosen = guide.as_place(units)
        if chosen:
            items = await delegation.available_items(_as_unit(chosen), proxy=True)
        else:
            items = list(get_catalog().items.values())
        found = guide.search(items, q[: guide.MAX_QUERY])
        return HTMXTemplate(
            template_name="catalog/guide_index.html",
            context={
                "items": found,
                "q": q[: guide.MAX_QUERY],
                "cascade": await guide.cascade(units),
                "chosen": chosen,
                "total": len(items),
            },
        )

    @get("/{code:str}", name="guide.item")
    async def item(self, code: FromPath[str], village: FromQuery[str] = "") -> Template:
        catalog = get_catalog()
        item = catalog.items.get(code[:32])
        if item is None:
            raise ItemNotFound()
        chosen = await guide.place(village) if village else None
        decision = where = None
        if chosen:
            decision = await delegation.may_file(item, _as_unit(chosen), proxy=True)
            where = await _accepting_unit(item, chosen)
        return Template(
            "catalog/guide_item.html",
            context={
                "item": item,
                "chosen": chosen,
                "decision": decision,
                "where": where,
                "unit_kinds": catalog.unit_kinds,
                "levels": await _level_names(),
                **LABELS,
            },
        )


async def _accepting_unit(item, place: guide.Place) -> dict | None:
    """The unit that accepts this item for a resident of ``place`` (None if none is set up)."""
    from core.cases.routing import resolve_step  # the tree walk is the router's, read-only here

    try:
        return await resolve_step(item.workflow.steps[0], place.path)
    except TongbanError:
        return None
