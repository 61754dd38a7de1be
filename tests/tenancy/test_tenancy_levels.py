"""Levels per site: rename, add a tier, mark allowed kinds, remove — never orphaning a unit."""

from __future__ import annotations

import re

import pytest

from core.errors import PermissionDenied
from core.tenancy import levels, units
from core.tenancy.audit import entries
from core.tenancy.errors import Refused
from core.tenancy.rules import load_levels
from core.tenancy.tables import LevelRow
from core.tenancy.treegen import to_csv
from core.tenancy.units_import import import_units
from tests.tenancy.support import QIJIANG, principal, unit

CJK = re.compile(r"[\u3001\u4e00-\u9fff]")


async def depths() -> list[str]:
    return [r["key"] for r in await LevelRow.select(LevelRow.key).order_by(LevelRow.depth)]


async def test_a_city_admin_adds_a_tier_puts_units_on_it_and_removes_it_when_empty(catalogue):
    admin = await principal("admin")
    before = await depths()
    await levels.add_level(
        admin,
        "subdistrict",
        "片区",
        "Sub-district",
        after="district",
        unit_kinds=["township", "service_centre"],
    )
    assert await depths() == [*before[:2], "subdistrict", *before[2:]]
    report = await import_units(
        to_csv(
            [
                {
                    "code": "509910900000",
                    "name": "东片区",
                    "name_en": "East Area",
                    "kind": "township",
                    "level": "subdistrict",
                    "parent_code": QIJIANG,
                }
            ]
        )
    )
    assert report.ok, [e.text() for e in report.errors]
    # A village kind may not sit on the new tier: the admin marked only two kinds.
    bad = await import_units(
        to_csv(
            [
                {
                    "code": "509910900201",
                    "name": "村",
                    "name_en": "",
                    "kind": "village",
                    "level": "subdistrict",
                    "parent_code": "509910900000",
                }
            ]
        )
    )
    assert [e.text() for e in bad.errors] == [
        "kind: a unit of kind “village” is not allowed at level “subdistrict”"
    ]
    # Removing the tier now would orphan the area: refused, with the reason.
    with pytest.raises(Refused) as refused:
        await levels.remove_level(admin, "subdistrict")
    # Named in the reader's language: the unit's and the level's own names, not the Chinese.
    assert refused.value.text("zh_CN") == (
        "不能删除层级“片区”：该层级有 1 个单位（例如东片区）。请先修改这些单位的层级。"
    )
    assert refused.value.text("en") == (
        "Level “Sub-district” cannot be removed: units are at this level "
        "(1, for example East Area). Change their level first."
    )
    area = await unit("509910900000")
    await units.change_level(admin, area["id"], "township")
    await levels.remove_level(admin, "subdistrict")
    assert await depths() == before
    logged = [e["action"] for e in await entries(admin) if e["target"] == "subdistrict"]
    assert logged[:2] == ["level.remove", "level.add"]


async def test_restricting_kinds_that_units_use_is_refused(catalogue):
    admin = await principal("admin")
    with pytest.raises(Refused) as refused:
        await levels.set_unit_kinds(admin, "township", ["township"])
    english = refused.value.text("en")
    assert english.startswith(
        "Level “Township” must keep allowing Bank outlet, Public security bureau, "
        "Service centre, and Tax bureau: units of these kinds are at this level ("
    )
    assert "Town Service Centre, and " in english and not CJK.search(english), english
    chinese = refused.value.text("zh_CN")
    assert "必须继续允许银行网点、" in chinese and "政务服务中心和税务局" in chinese, chinese
    assert (await load_levels())["township"].unit_kinds == ()
    # Marking every kind in use is fine, and undoing the mark too.
    in_use = ["township", "service_centre", "tax_office", "police_office", "bank_outlet", "window"]
    await levels.set_unit_kinds(admin, "township", in_use)
    assert (await load_levels())["township"].unit_kinds == tuple(in_use)
    await levels.set_unit_kinds(admin, "township", [])


async def test_renaming_a_level_is_audited(catalogue):
    admin = await principal("admin")
    old = (await load_levels())["village"]
    await levels.rename_level(admin, "village", "村（社区）", "Village or community")
    assert (await load_levels())["village"].name == "村（社区）"
    await levels.rename_level(admin, "village", old.name, old.name_en)
    log = await entries(admin, action="level.rename")
    assert log[1]["details"]["new"] == ["村（社区）", "Village or community"]


async def test_only_a_city_admin_changes_levels(catalogue):
    for who in ("district", "auditor", "clerk"):
        with pytest.raises(PermissionDenied):
            await levels.rename_level(await principal(who), "village", "x", "")
    with pytest.raises(Refused, match="key"):
        await levels.add_level(
            await principal("admin"), "Bad Key", "x", "", after="city", unit_kinds=[]
        )
