"""Delegation (事项下沉): the city admin decides where each item may be filed; the
plugin's accept_levels is only the proposal. The most specific rule wins, every
decision is logged, and only a city admin may decide."""

from __future__ import annotations

import re

import pytest

from core.catalog.delegation import FilingRules, ancestor_paths, may_file
from core.catalog.registry import get_catalog
from core.catalog.tables import CatalogAdminEvent, DelegationRule, PluginSwitch
from core.tenancy.tables import Unit

PENSION = "000115002000"
QIJIANG, GANSHUI, MALIU, JINLONG = "509910000000", "509910101000", "509910101201", "509920101201"


def rules(level: str, *rows: tuple[str, str, bool], off: tuple[str, ...] = ()) -> FilingRules:
    return FilingRules(
        level,
        [{"item_code": PENSION, "unit_path": p, "level": lvl, "allow": a} for p, lvl, a in rows],
        off,
    )


def decide(filing_rules: FilingRules, *, proxy: bool = True, plugin: str = "social_security"):
    return filing_rules.decide(get_catalog().items[PENSION], plugin=plugin, proxy=proxy)


def test_the_plugins_proposal_holds_without_rules():
    assert decide(rules("village")).allowed  # accept_levels includes village
    assert not decide(rules("city")).allowed
    assert decide(rules("village")).source == "default"


def test_the_most_specific_rule_wins():
    city, district, town = "/C/", "/C/D/", "/C/D/T/"
    deny_district = (district, "", False)
    assert not decide(rules("village", deny_district)).allowed
    assert decide(rules("village", deny_district, (town, "", True))).allowed  # deeper wins
    assert not decide(rules("village", (town, "", False), (city, "", True))).allowed
    # On the same node, a rule for the unit's own level beats one for every level …
    assert decide(rules("village", (district, "", False), (district, "village", True))).allowed
    assert not decide(rules("township", (district, "", False), (district, "village", True))).allowed
    # … and a deny beats an allow.
    assert not decide(rules("village", (town, "", True), (town, "", False))).allowed
    # A rule may extend an item beyond its proposal (city level is not proposed).
    assert decide(rules("city", (city, "city", True))).allowed


def test_a_switched_off_plugin_beats_every_rule():
    decision = decide(rules("village", ("/C/", "", True), off=("social_security",)))
    assert not decision.allowed and decision.source == "plugin_off"
    assert decide(rules("village", off=("tax_joint_office",))).allowed


def test_ancestor_paths():
    assert ancestor_paths("/509900000000/509910000000/") == [
        "/509900000000/",
        "/509900000000/509910000000/",
    ]
    assert ancestor_paths("") == []


async def unit(code: str) -> dict:
    return (
        await Unit.select(Unit.code, Unit.name, Unit.path, Unit.level)
        .where(Unit.code == code)
        .first()
    )


@pytest.fixture
async def clean_rules(site):
    yield
    await DelegationRule.delete(force=True)
    await PluginSwitch.delete(force=True)


async def test_the_city_admin_moves_an_item_and_the_filing_pages_follow(new_browser, clean_rules):
    admin, agent = await new_browser(), await new_browser()
    await admin.login("admin")
    await agent.login("agent")  # at 麻柳村, a village of 赶水镇 in 綦江区
    overview = await admin.get("/admin/catalog/")
    assert overview.status_code == 200 and "城乡居民基本养老保险参保登记" in overview.text

    denied = await admin.post_form(
        f"/admin/catalog/items/{PENSION}/rules",
        {"unit": QIJIANG, "level": "", "effect": "deny", "reason": "区社保中心集中受理"},
    )
    assert denied.status_code == 200 and "綦江区" in denied.text and "不允许" in denied.text
    assert PENSION not in (await agent.get("/file/")).text
    refused = await agent.get(f"/file/{PENSION}")
    assert refused.status_code == 422 and "未下沉到本单位" in refused.text
    assert not (await may_file(get_catalog().items[PENSION], await unit(MALIU), proxy=True)).allowed
    assert (await may_file(get_catalog().items[PENSION], await unit(JINLONG), proxy=True)).allowed
    guide = await agent.get("/guide/", params={"village": MALIU})
    assert f"/guide/{PENSION}" not in guide.text

    # The villages of 赶水镇 may file it again: the deeper rule wins there.
    await admin.post_form(
        f"/admin/catalog/items/{PENSION}/rules",
        {"unit": GANSHUI, "level": "village", "effect": "allow", "reason": "代办点试点"},
    )
    assert f"/file/{PENSION}" in (await agent.get("/file/")).text

    # Removing both rules restores the plugin's proposal; every step was logged.
    for code, level in ((GANSHUI, "village"), (QIJIANG, "")):
        await admin.post_form(
            f"/admin/catalog/items/{PENSION}/rules", {"op": "clear", "unit": code, "level": level}
        )
    assert await DelegationRule.count() == 0
    page = await admin.get(f"/admin/catalog/items/{PENSION}")
    assert "区社保中心集中受理" in page.text and "代办点试点" in page.text
    history = re.sub(r"\s+", " ", page.text)
    assert "郑管理（渝南市）: 在綦江区不允许“城乡居民基本养老保险参保登记”" in history
    assert "在赶水镇允许“城乡居民基本养老保险参保登记” (village)" in history
    kinds = [
        e["kind"]
        for e in await CatalogAdminEvent.select(CatalogAdminEvent.kind)
        .where(CatalogAdminEvent.item_code == PENSION)
        .order_by(CatalogAdminEvent.id)
    ]
    assert kinds[-4:] == ["rule_set", "rule_set", "rule_cleared", "rule_cleared"]


async def test_only_a_city_admin_decides_and_bad_input_changes_nothing(new_browser, clean_rules):
    clerk, district, admin = await new_browser(), await new_browser(), await new_browser()
    await clerk.login("clerk")
    await district.login("district")
    await admin.login("admin")
    for who in (clerk, district):
        assert (await who.get("/admin/catalog/")).status_code == 403
        posted = await who.post_form(
            f"/admin/catalog/items/{PENSION}/rules", {"unit": QIJIANG, "effect": "deny"}
        )
        assert posted.status_code == 403
    forged = await admin.post_form(
        f"/admin/catalog/items/{PENSION}/rules", {"unit": "999999999999", "effect": "deny"}
    )
    assert forged.status_code == 422 and "没有这个单位" in forged.text  # shown on the form
    level = await admin.post_form(
        f"/admin/catalog/items/{PENSION}/rules",
        {"unit": QIJIANG, "level": "<script>", "effect": "deny"},
    )
    assert level.status_code == 422 and "无法保存此规则" in level.text
    assert "<script>" not in level.text
    unknown = await admin.post_form(
        "/admin/catalog/items/000000000000/rules", {"unit": QIJIANG, "effect": "deny"}
    )
    assert unknown.status_code == 404
    plugin = await admin.post_form(
        "/admin/catalog/plugins", {"plugin": "nobody", "unit": QIJIANG, "enabled": "0"}
    )
    assert plugin.status_code == 404 and "未加载该名称的插件" in plugin.text
    assert await DelegationRule.count() == 0 and await PluginSwitch.count() == 0


async def test_the_admin_pages_in_english(new_browser, clean_rules):
    admin = await new_browser()
    admin.client.cookies.set("lang", "en")
    await admin.login("admin")
    page = await admin.get(f"/admin/catalog/items/{PENSION}")
    assert (
        "Where it may be filed" in page.text and "Urban-rural resident basic pension" in page.text
    )
