"""Bundles (一件事): one application, linked cases across two plugins, one combined status."""

from __future__ import annotations

import pytest

from core.cases import bundles
from core.cases.status import BundleStatus, PublicStatus, public_status
from core.cases.tables import Bundle, Case, CaseEvent
from core.catalog.registry import get_catalog
from core.errors import ValidationFailed
from core.plugins import PluginError, make_plugin_manager
from tests.cases.world import B_ITEM, BUNDLE, PLUGINS, SIMPLE, TOWNSHIP_ONLY, VILLAGE


async def file_bundle(world, person=None, **more):
    person = person or world.next_applicant()
    await world.authorise("t_agent", person)
    return person, await bundles.submit_bundle(
        await world.who("t_agent"),
        unit_id=await world.unit_id(VILLAGE),
        bundle_code=BUNDLE,
        applicant=person,
        data={SIMPLE: {"purpose": "新生儿落户"}, B_ITEM: {"purpose": "新生儿参保"}},
        materials=["id_card", "application"],  # only shared ones are kept
        **more,
    )


def test_the_bundle_spans_two_plugins(world):
    (plugin, declaration) = bundles.get_bundles()[BUNDLE]
    owners = {get_catalog().item_plugin[code] for code in declaration.items}
    assert owners == {"test_department_a", "test_department_b"}
    assert plugin == "test_department_b"


async def test_one_application_creates_linked_cases_sharing_the_applicant(world):
    person, filed = await file_bundle(world)
    assert [c["item_code"] for c in filed["cases"]] == [SIMPLE, B_ITEM]
    rows = await Case.select().where(Case.bundle == filed["id"]).order_by(Case.id)
    assert len(rows) == 2 and len({r["resident"] for r in rows}) == 1
    assert len({r["tracking_code"] for r in rows} | {filed["tracking_code"]}) == 3
    bundle_row = (
        await Bundle.select().where(Bundle.id == filed["id"]).first().output(load_json=True)
    )
    assert bundle_row["materials"] == ["id_card"]
    submit = (
        await CaseEvent.select()
        .where((CaseEvent.case == rows[1]["id"]) & (CaseEvent.kind == "submit"))
        .first()
        .output(load_json=True)
    )
    assert submit["payload"]["bundle"] == filed["tracking_code"]
    assert submit["payload"]["shared_materials"] == ["id_card"]
    # Each case routes on its own: both wait at the township window.
    assert {r["state"] for r in rows} == {"submitted"}


async def test_the_resident_sees_one_combined_status(world):
    person, filed = await file_bundle(world)
    first, second = filed["cases"]
    await world.act("t_clerk", first["id"], "accept")
    await world.act("t_clerk", second["id"], "request_supplement", materials=["photo"])
    found = await public_status(filed["tracking_code"], person["id_number"][-4:])
    assert isinstance(found, BundleStatus)
    assert found.name == "测试一件事"
    assert [c.tracking_code for c in found.cases] == [
        first["tracking_code"],
        second["tracking_code"],
    ]
    assert [c.state for c in found.cases] == ["in_review", "supplement_requested"]
    assert found.progress == "action_needed"
    assert found.cases[1].materials[0]["name"] == "照片"
    # A case of the bundle looked up on its own says which bundle it belongs to.
    one = await public_status(second["tracking_code"], person["phone"][-4:])
    assert isinstance(one, PublicStatus) and one.bundle_code == filed["tracking_code"]
    with pytest.raises(Exception, match="No case matches"):
        await public_status(filed["tracking_code"], "0000")


async def test_every_forms_errors_are_reported_and_nothing_is_created(world):
    person = world.next_applicant()
    before = await Case.count()
    with pytest.raises(ValidationFailed) as failed:
        await bundles.submit_bundle(
            await world.who("t_agent"),
            unit_id=await world.unit_id(VILLAGE),
            bundle_code=BUNDLE,
            applicant={**person, "id_number": "110105198001010011"},
            data={SIMPLE: {"purpose": ""}, B_ITEM: {}},
        )
    paths = sorted(e.path for e in failed.value.errors)
    assert paths == sorted([f"{B_ITEM}.purpose", "applicant.id_number", f"{SIMPLE}.purpose"])
    assert await Case.count() == before


async def test_a_resubmission_with_the_same_key_returns_the_same_bundle(world):
    person, first = await file_bundle(world, idempotency_key="bundle-key-1")
    _, again = await file_bundle(world, person, idempotency_key="bundle-key-1")
    assert again["id"] == first["id"]
    assert [c["id"] for c in again["cases"]] == [c["id"] for c in first["cases"]]


def test_a_bad_bundle_declaration_stops_start_up_naming_the_plugin():
    from core import hookimpl

    class Broken:
        @hookimpl
        def tongban_bundles(self):
            return [{"code": "broken", "name": "坏", "items": [SIMPLE, "NOSUCHITEM01"]}]

    pm = make_plugin_manager(extra=[*PLUGINS, ("broken_bundles", Broken())])
    from core.catalog.registry import build_catalog

    with pytest.raises(PluginError, match="broken_bundles.*unknown item 'NOSUCHITEM01'"):
        bundles.build_bundles(pm, build_catalog(pm))


async def test_an_item_of_the_bundle_not_delegated_here_refuses_the_bundle(world):
    from core.errors import ItemNotAvailable

    declaration = bundles.Bundle(code="village_bad", name="不可", items=(SIMPLE, TOWNSHIP_ONLY))
    bundles.get_bundles()["village_bad"] = ("test", declaration)
    try:
        with pytest.raises(ItemNotAvailable):
            await bundles.submit_bundle(
                await world.who("t_agent"),
                unit_id=await world.unit_id(VILLAGE),
                bundle_code="village_bad",
                applicant=world.next_applicant(),
                data={SIMPLE: {"purpose": "x"}, TOWNSHIP_ONLY: {"purpose": "x"}},
            )
    finally:
        del bundles.get_bundles()["village_bad"]


@pytest.fixture
def unroutable_bundle(world):
    """A bundle of a routable item and one whose decision goes to a kind of unit (a civil
    affairs bureau) the tree has none of."""
    from core.plugins import get_plugin_manager
    from tests.catalog import civil_affairs_plugin as civil

    pm = get_plugin_manager()
    pm.register(civil, name=civil.NAME)
    get_catalog.cache_clear()
    declaration = bundles.Bundle(
        code="with_gap", name="含民政事项", items=(SIMPLE, civil.ITEM_CODE)
    )
    bundles.get_bundles()["with_gap"] = ("test", declaration)
    try:
        yield declaration
    finally:
        del bundles.get_bundles()["with_gap"]
        pm.unregister(name=civil.NAME)
        get_catalog.cache_clear()


async def _counts() -> tuple[int, int, int]:
    from core.residents.tables import Resident

    return await Case.count(), await Bundle.count(), await Resident.count()


async def test_a_bundle_with_an_item_no_unit_can_take_is_refused_up_front(world, unroutable_bundle):
    from core.cases.errors import error_text
    from core.catalog.routability import NotRoutableHere
    from tests.catalog import civil_affairs_plugin as civil

    person = world.next_applicant()
    await world.authorise("t_agent", person)
    before = await _counts()
    with pytest.raises(NotRoutableHere) as refused:
        await bundles.submit_bundle(
            await world.who("t_agent"),
            unit_id=await world.unit_id(VILLAGE),
            bundle_code="with_gap",
            applicant=person,
            data={SIMPLE: {"purpose": "测试"}, civil.ITEM_CODE: {"purpose": "测试"}},
        )
    assert await _counts() == before  # no bundle, no case, not even the resident
    zh = error_text(refused.value, "zh_CN")
    assert (
        zh.startswith("“低保申请测试”暂时不能在")
        and "“区县民政审批”一步要交由区县级的民政局办理" in zh
    )
    assert zh.endswith("本次未提交任何办件。")
    en = error_text(refused.value, "en")
    assert (
        "cannot be filed at Maliu Village yet: its step “Civil affairs decision” goes to a "
        "Civil affairs bureau at District level" in en
    )
    assert en.endswith("nothing has been filed.")


async def test_the_agent_is_told_before_filling_in_a_bundle_no_unit_can_take(
    world, unroutable_bundle, new_browser
):
    from tests.catalog import civil_affairs_plugin as civil

    agent = await new_browser()
    await agent.login("t_agent", "test-password-1")
    page = await agent.get("/bundles/with_gap")
    assert page.status_code == 422
    assert "“区县民政审批”一步要交由区县级的民政局办理" in page.text
    assert 'name="applicant.name"' not in page.text  # no form to fill in for nothing
    before = await _counts()
    person = world.next_applicant()
    sent = await agent.post_form(
        "/bundles/with_gap",
        {
            **{f"applicant.{k}": v for k, v in person.items()},
            f"{SIMPLE}.purpose": "测试",
            f"{civil.ITEM_CODE}.purpose": "测试",
        },
    )
    assert sent.status_code == 422 and "本次未提交任何办件" in sent.text
    assert await _counts() == before
    agent.client.cookies.set("lang", "en")
    english = await agent.get("/bundles/with_gap")
    assert english.status_code == 422
    assert "there is none for this place" in english.text
