"""Moving, renaming, creating and (de)activating units: audited, scoped, and never orphaning."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.cases.tables import Bundle, Case, Task
from core.plugins import get_plugin_manager
from core.tenancy import units
from core.tenancy.audit import entries
from core.tenancy.auth import load_principal
from core.tenancy.errors import Refused, UnitNotFound
from core.tenancy.scope import case_visibility
from core.tenancy.tables import Membership, Unit
from tests.tenancy.support import (
    DAGUAN,
    GANSHUI,
    QIJIANG,
    bare_case,
    principal,
    scratch_township,
    unit,
)


async def test_moving_a_village_moves_its_cases_to_the_new_township(catalogue):
    old, new = await scratch_township(), await scratch_township()
    village = await unit(old["village1"])
    case_id = await bare_case(old["village1"])
    event_count_before = await Case.select(Case.event_count).where(Case.id == case_id).first()
    admin = await principal("district")

    moved = await units.move_unit(admin, village["id"], new["township"])

    assert moved == 1
    after = await unit(old["village1"])
    new_town = await unit(new["township"])
    assert after["path"] == f"{new_town['path']}{old['village1']}/"
    assert after["parent"] == new_town["id"] and after["depth"] == new_town["depth"] + 1
    case = await Case.select(Case.scope_path, Case.event_count).where(Case.id == case_id).first()
    assert case["scope_path"] == after["path"]  # routing of later steps starts from the new place
    assert case["event_count"] == event_count_before["event_count"]  # history untouched
    # The new township's staff see it at once; the old township's no longer do.
    from core.tenancy.accounts import create_staff

    for name, centre in (("newclerk", new["centre"]), ("oldclerk", old["centre"])):
        await create_staff(f"{name}{case_id}", name, "Tongban-test-2026", centre, "window_clerk")
    seen = {}
    for name in ("newclerk", "oldclerk"):
        who = await principal(f"{name}{case_id}")
        where = case_visibility(who, Case, Task)
        seen[name] = await Case.exists().where(where & (Case.id == case_id))
    assert seen == {"newclerk": True, "oldclerk": False}
    log = await entries(admin, action="unit.move", unit_id=village["id"])
    assert log and log[0]["details"]["from"] == old["township"]
    assert log[0]["details"]["to"] == new["township"]


async def test_a_whole_township_moves_with_its_villages_in_one_statement(catalogue):
    town = await scratch_township(villages=3)
    admin = await principal("admin")
    moved = await units.move_unit(admin, (await unit(town["township"]))["id"], "509920000000")
    assert moved == 5  # township, its centre, three villages
    paths = [
        r["path"]
        for r in await Unit.select(Unit.path).where(Unit.code.like(town["township"][:9] + "%"))
    ]
    assert paths and all(p.startswith("/509900000000/509920000000/") for p in paths)


async def test_a_move_is_refused_with_its_reason(catalogue):
    town = await scratch_township()
    admin = await principal("district")
    township = await unit(town["township"])
    with pytest.raises(Refused, match="under itself"):
        await units.move_unit(admin, township["id"], town["village1"])
    with pytest.raises(Refused, match="above its parent"):  # a township under a village
        await units.move_unit(admin, township["id"], "509910101201")
    # Another district's unit: exactly like a unit that does not exist.
    with pytest.raises(UnitNotFound) as foreign:
        await units.move_unit(admin, township["id"], DAGUAN)
    with pytest.raises(UnitNotFound) as missing:
        await units.move_unit(admin, township["id"], "999999999999")
    assert foreign.value.message == missing.value.message
    with pytest.raises(Refused, match="administer from"):
        await units.move_unit(admin, (await unit(QIJIANG))["id"], "509920000000")


async def test_a_unit_outside_ones_subtree_cannot_be_touched(catalogue):
    clerk2_admin = await principal("district")  # Qijiang's admin
    daguan = await unit(DAGUAN)
    for change in (
        units.rename_unit(clerk2_admin, daguan["id"], "改名", ""),
        units.set_active(clerk2_admin, daguan["id"], False),
        units.get_unit(clerk2_admin, daguan["id"]),
    ):
        with pytest.raises(UnitNotFound):
            await change
    assert (await unit(DAGUAN))["name"] == daguan["name"]


async def test_renaming_is_audited_with_the_old_name(catalogue):
    town = await scratch_township()
    admin = await principal("district")
    township = await unit(town["township"])
    await units.rename_unit(admin, township["id"], "新名镇", "New Name Town")
    log = await entries(admin, action="unit.rename", unit_id=township["id"])
    assert log[0]["details"]["old"][0] == township["name"]
    assert log[0]["details"]["new"] == ["新名镇", "New Name Town"]
    assert log[0]["actor_name"] == admin.display_name


async def test_deactivation_keeps_the_tree_whole(catalogue):
    town = await scratch_township(villages=1)
    admin = await principal("district")
    township = await unit(town["township"])
    with pytest.raises(Refused, match="active sub-units"):
        await units.set_active(admin, township["id"], False)
    village = await unit(town["village1"])
    from core.tenancy.accounts import create_staff

    await create_staff(
        f"agent{village['id']}", "代办员", "Tongban-test-2026", town["village1"], "village_agent"
    )
    await units.set_active(admin, village["id"], False)
    # Staff of a deactivated unit lose their access through it.
    staff = (
        await Membership.select(Membership.staff).where(Membership.unit == village["id"]).first()
    )
    assert (await load_principal(staff["staff"])).memberships == ()
    # With its last active sub-unit gone, the township may close; the village cannot
    # come back while its parent is away.
    await units.set_active(admin, (await unit(town["centre"]))["id"], False)
    await units.set_active(admin, township["id"], False)
    with pytest.raises(Refused, match="parent"):
        await units.set_active(admin, village["id"], True)
    await units.set_active(admin, township["id"], True)
    await units.set_active(admin, village["id"], True)
    assert (await unit(town["village1"]))["active"]
    actions = [e["action"] for e in await entries(admin, unit_id=village["id"])]
    assert actions[:2] == ["unit.activate", "unit.deactivate"]


async def test_creating_a_unit_checks_code_kind_and_level(catalogue):
    admin = await principal("district")
    ganshui = await unit(GANSHUI)
    cases = [
        (
            {"code": "bad code!", "kind": "village", "level": "village"},
            "letters, digits or hyphens",
        ),
        ({"code": "509910101299", "kind": "district", "level": "village"}, "not allowed at level"),
        (
            {"code": "509910101298", "kind": "service_centre", "level": "district"},
            "above its parent",
        ),
        ({"code": "509910101201", "kind": "village", "level": "village"}, "already used"),
        ({"code": "509910101000-bm", "kind": "window", "level": "township"}, "already used"),
    ]
    for fields, reason in cases:
        with pytest.raises(Refused, match=reason):
            await units.create_unit(admin, ganshui["id"], name="新单位", name_en="", **fields)
    new_id = await units.create_unit(
        admin,
        ganshui["id"],
        code="509910101299",
        name="新村",
        name_en="New Village",
        kind="village",
        level="village",
    )
    created = await Unit.select().where(Unit.id == new_id).first()
    assert created["path"] == f"{ganshui['path']}509910101299/"
    assert (await entries(admin, action="unit.create", unit_id=new_id))[0]["target"].startswith(
        "新村"
    )


async def test_export_lists_parents_first_and_only_ones_own_subtree(catalogue):
    text = await units.export_csv(await principal("district"))
    lines = text.splitlines()
    assert lines[0] == "code,name,name_en,kind,level,parent_code,active"
    codes = [line.split(",")[0] for line in lines[1:]]
    assert codes[0] == QIJIANG and "509920000000" not in codes
    position = {code: i for i, code in enumerate(codes)}
    for line in lines[2:]:
        parent = line.split(",")[5]
        assert position[parent] < position[line.split(",")[0]]


class _BundlePaths:
    """A plugin that keeps a unit path in its own table (here: the cases' bundles)."""

    @staticmethod
    @hookimpl
    def tongban_scope_path_columns():
        return [Bundle.scope_path, Case.scope_path]  # a column declared twice is rewritten once


async def test_columns_declared_by_plugins_follow_a_move(catalogue):
    town, other = await scratch_township(), await scratch_township()
    village = await unit(town["village1"])
    bundle = (
        await Bundle.insert(
            Bundle(
                bundle_code="test",
                tracking_code=f"B{village['id']}",
                filed_unit=village["id"],
                scope_path=village["path"],
            )
        ).returning(Bundle.id)
    )[0]["id"]
    pm = get_plugin_manager()
    pm.register(_BundlePaths, name="bundle-paths")
    try:
        await units.move_unit(await principal("district"), village["id"], other["township"])
    finally:
        pm.unregister(name="bundle-paths")
    moved = await unit(town["village1"])
    row = await Bundle.select(Bundle.scope_path).where(Bundle.id == bundle).first()
    assert row["scope_path"] == moved["path"] != village["path"]
