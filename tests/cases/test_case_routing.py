"""Routing through the tree, plugins overriding it, and refusal at submission."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.cases.tables import Case, Task
from core.errors import ItemNotAvailable, RoutingFailed
from core.plugins import get_plugin_manager
from tests.cases.world import B_ITEM, OFFICE_A, SIMPLE, TOWNSHIP_ONLY, VILLAGE


async def units_of(case_id: int) -> list[tuple[str, str]]:
    rows = (
        await Task.select(Task.step_id, Task.unit.code)
        .where(Task.case == case_id)
        .order_by(Task.id)
    )
    return [(r["step_id"], r["unit.code"]) for r in rows]


async def test_steps_resolve_from_the_village_up_the_tree(world):
    case = await world.file(SIMPLE)
    row = (
        await Case.select(Case.accepting_unit.code, Case.tracking_code)
        .where(Case.id == case["id"])
        .first()
    )
    assert row["accepting_unit.code"] == "509910101000-BM"  # the village's township centre
    assert row["tracking_code"].startswith("509910")  # the accepting unit's division
    await world.act("t_clerk", case["id"], "accept")
    assert await units_of(case["id"]) == [("accept", "509910101000-BM"), ("review", OFFICE_A)]


async def test_an_item_the_village_may_not_file_is_refused_at_submission(world):
    before = await Case.count()
    with pytest.raises(ItemNotAvailable):
        await world.file(TOWNSHIP_ONLY)
    assert await Case.count() == before
    # The township window may file it.
    case = await world.file(TOWNSHIP_ONLY, by="t_clerk", unit="509910101000-BM")
    assert case["tracking_code"]


class RouteToElsewhere:
    """A plugin sending department B's cases to another township's window."""

    @hookimpl
    def tongban_route_step(self, item, step, filing_unit, case):
        if item.code == B_ITEM and step.kind == "accept":
            assert filing_unit["code"] == VILLAGE
            return "509910102000-BM"
        return None


class RouteNowhere:
    @hookimpl
    def tongban_route_step(self, item, step, filing_unit, case):
        return "NO-SUCH-UNIT" if item.code == B_ITEM else None


@pytest.fixture
def override():
    pm = get_plugin_manager()
    registered = []

    def register(plugin, name):
        pm.register(plugin, name=name)
        registered.append(name)

    yield register
    for name in registered:
        pm.unregister(name=name)


async def test_a_plugin_may_override_the_route(world, override):
    override(RouteToElsewhere(), "route_elsewhere")
    case = await world.file(B_ITEM)
    assert (await units_of(case["id"]))[0] == ("accept", "509910102000-BM")
    other = await world.file(SIMPLE)  # not this plugin's item: the tree decides
    assert (await units_of(other["id"]))[0] == ("accept", "509910101000-BM")


async def test_a_route_to_an_unknown_unit_stops_the_filing(world, override):
    override(RouteNowhere(), "route_nowhere")
    before = await Case.count()
    with pytest.raises(RoutingFailed):
        await world.file(B_ITEM)
    assert await Case.count() == before
