"""Cases in my area (辖区办件): every case the caller may see, newest first.

A township clerk or supervisor sees the township's and its villages' cases, a
department the cases routed to it, a city admin all of them — the scoping layer
decides (``case_visibility``). The list pages by keyset (``before`` = the last
id shown), never by OFFSET, and asks for the newest-first shape of the
visibility clause, so the page costs the same at 100,000 cases and at ten
million (``bench/scale.py``). It shows no total: counting a township's cases
would read them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Template

from core.cases import tracking
from core.cases.labels import LIGHT_LABELS, STATE_LABELS
from core.cases.queries import CASE_LIST_COLUMNS, PAGE, newest_page, parse_before
from core.cases.tables import Case, Task
from core.catalog.registry import get_catalog
from core.tenancy.scope import Principal, case_visibility
from core.web.guards import login_required, provide_principal


@dataclass
class AreaFilter:
    """What the list is narrowed to; anything unknown is dropped, not an error."""

    state: str = ""
    light: str = ""
    item: str = ""
    code: str = ""  # a whole tracking code, validated
    before: int = 0  # keyset: show cases older than this id
    problems: list[str] = field(default_factory=list)  # msgids

    @classmethod
    def parse(cls, state: str, light: str, item: str, code: str, before: str) -> AreaFilter:
        chosen = cls(
            state=state if state in STATE_LABELS else "",
            light=light if light in LIGHT_LABELS and light else "",
            item=item if item in get_catalog().items else "",
            before=parse_before(before),
        )
        if code.strip():
            try:
                chosen.code = tracking.parse(code[:64]).code
            except tracking.InvalidTrackingCode as exc:
                chosen.problems.append(exc.reason.message)  # a msgid, shown translated
        return chosen


async def cases_in_area(principal: Principal, chosen: AreaFilter | None = None, limit: int = PAGE):
    """The newest ``limit`` cases ``principal`` may see under ``chosen``, and whether
    there are older ones (one more row is read to tell)."""
    chosen = chosen or AreaFilter()
    where = case_visibility(principal, Case, Task, newest_first=True)
    if where is None or chosen.problems:
        return [], False
    if chosen.state:
        where = where & (Case.state == chosen.state)
    if chosen.light:
        where = where & (Case.light == chosen.light)
    if chosen.item:
        where = where & (Case.item_code == chosen.item)
    if chosen.code:
        where = where & (Case.tracking_code == chosen.code)
    return await newest_page(where, CASE_LIST_COLUMNS, before=chosen.before, limit=limit)


class AreaController(Controller):
    path = "/cases/area"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/", name="cases.area")
    async def area(
        self,
        principal: NamedDependency[Principal],
        case_state: Annotated[str, QueryParameter(name="state")] = "",
        light: FromQuery[str] = "",
        item: FromQuery[str] = "",
        code: FromQuery[str] = "",
        before: FromQuery[str] = "",
    ) -> Template:
        chosen = AreaFilter.parse(case_state, light, item, code, before)
        cases, more = await cases_in_area(principal, chosen)
        return HTMXTemplate(
            template_name="cases/area.html",
            context={
                "cases": cases,
                "more": more,
                "chosen": chosen,
                "items": sorted(get_catalog().items.values(), key=lambda i: i.code),
            },
        )
