"""A step routed to a kind of unit the site's tree lacks is told before a clerk meets it:
filing is refused up front (nothing written), the city admin's catalogue pages and the
start-up log name the step and the places. (`tongban plugins check`: test_plugins_command.)
"""

from __future__ import annotations

import logging
import re

import pytest

from core.cases import services
from core.cases.errors import error_text
from core.cases.tables import Case
from core.catalog import routability
from core.catalog.registry import get_catalog
from core.plugins import get_plugin_manager
from core.residents.tables import Resident
from core.tenancy.auth import load_principal
from core.tenancy.tables import Staff, Unit
from tests.cases.world import applicant
from tests.catalog import civil_affairs_plugin as civil

QIJIANG = "509910000000"
OFFICE = "509910000000-MZ"  # 綦江区民政局, added by a test
NANCHUAN_CENTRE = "509920101000-BM"  # 大观镇便民服务中心 (南川区), clerk2's window


@pytest.fixture
async def civil_affairs(site):
    pm = get_plugin_manager()
    pm.register(civil, name=civil.NAME)
    get_catalog.cache_clear()
    try:
        yield get_catalog().items[civil.ITEM_CODE]
    finally:
        pm.unregister(name=civil.NAME)
        get_catalog.cache_clear()
        await Unit.delete().where(Unit.code == OFFICE)


async def add_office() -> None:
    district = await Unit.select(Unit.id, Unit.path, Unit.depth).where(Unit.code == QIJIANG).first()
    await Unit.insert(
        Unit(
            code=OFFICE,
            name="綦江区民政局",
            name_en="Qijiang Civil Affairs Bureau",
            kind=civil.KIND,
            level="district",
            parent=district["id"],
            path=f"{district['path']}{OFFICE}/",
            depth=district["depth"] + 1,
        )
    )


async def principal(username: str):
    staff = await Staff.select(Staff.id).where(Staff.username == username).first()
    return await load_principal(staff["id"])


async def file_at(username: str, unit_code: str, seq: int):
    unit = await Unit.select(Unit.id).where(Unit.code == unit_code).first()
    return await services.submit(
        await principal(username),
        unit_id=unit["id"],
        item_code=civil.ITEM_CODE,
        applicant=applicant(seq),
        data={"purpose": "测试"},
    )


async def test_filing_is_refused_up_front_with_nothing_written(civil_affairs):
    cases, residents = await Case.count(), await Resident.count()
    with pytest.raises(routability.NotRoutableHere) as refused:
        await file_at("clerk2", NANCHUAN_CENTRE, 7301)
    assert await Case.count() == cases and await Resident.count() == residents
    assert error_text(refused.value, "zh_CN") == (
        "“低保申请测试”暂时不能在大观镇便民服务中心办理：其中“区县民政审批”一步要交由区县级的"
        "民政局办理，而本地尚无此单位。请市级管理员在单位树中添加；本次未提交任何办件。"
    )
    # An English reader is told the names in English, not in Chinese.
    assert error_text(refused.value, "en") == (
        f"“Test item {civil.ITEM_CODE}” cannot be filed at Daguan Town Service Centre yet: "
        "its step “Civil affairs decision” goes to a Civil affairs bureau at District level, "
        "and there is none for this place. The city administrator needs to add one to the "
        "unit tree; nothing has been filed."
    )

    # Once 綦江区 has its civil affairs bureau, its townships may file; 南川区 still may not.
    await add_office()
    await routability.check_routable(
        civil_affairs,
        {
            "name": "赶水镇便民服务中心",
            "code": "509910101000-BM",
            "path": await path_of("509910101000-BM"),
        },
    )
    with pytest.raises(routability.NotRoutableHere):
        await file_at("clerk2", NANCHUAN_CENTRE, 7302)
    assert await Case.count() == cases


async def path_of(code: str) -> str:
    return (await Unit.select(Unit.path).where(Unit.code == code).first())["path"]


async def test_the_city_admin_sees_the_steps_that_cannot_be_routed(civil_affairs, browser):
    await browser.login("admin")
    page = (await browser.get("/admin/catalog/")).text
    assert "单位树尚无法流转的步骤" in page
    assert (
        "步骤“区县民政审批”要交由区县级的民政局办理，而单位树中没有：此事项在各地都无法提交，"
        "直到添加此类单位。"
    ) in page

    await add_office()
    item_page = (await browser.get(f"/admin/catalog/items/{civil.ITEM_CODE}")).text
    gaps = item_page.split("单位树尚无法流转的步骤")[1].split("</section>")[0]
    assert re.search(r"\d+ 个区县级区域中有 \d+ 个没有（[^）]*南川区", gaps), gaps
    assert "綦江区" not in gaps  # it has its bureau now


async def test_start_up_logs_a_warning_per_step_and_goes_on(civil_affairs, caplog):
    from core.catalog import plugin

    with caplog.at_level(logging.WARNING, logger="tongban.catalog"):
        await plugin.tongban_startup(app=None)
    warnings = [r.getMessage() for r in caplog.records if civil.ITEM_CODE in r.getMessage()]
    assert warnings == [
        f"item {civil.ITEM_CODE} (civil_affairs): step “Civil affairs decision” goes to a "
        "Civil affairs bureau at District level, and the site's tree has none: filing the "
        "item is refused everywhere until such a unit is added."
    ]
