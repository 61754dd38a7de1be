"""The server-rendered filing form of a department plugin's item: conditional fields,
repeating groups, computed fields and uploads work through htmx round-trips with the
validator's own rules; the plugin's case-event hook and actors run; and a plugin
switched off for a district hides its items there while its cases carry on."""

from __future__ import annotations

import re

from core.catalog.tables import PluginSwitch
from core.db import transaction
from core.jobs import outbox
from core.plugins import load_plugin_actors
from tests.catalog import sample_plugin
from tests.catalog.plugin_e2e import pdf_bytes
from tests.helpers import authorise, drain, tracking_code_in

CODE = sample_plugin.ITEM_CODE
RESIDENT = {
    "applicant.name": "赵六",
    "applicant.id_number": "11010519491231002X",
    "applicant.phone": "13800138000",
}
FARM = {
    "operator_name": "赵六",
    "operator_type": "individual",
    "farm_address.unit": "509910101201",
    "farm_address.detail": "3组",
    "plots[0].location": "河坝",
    "plots[0].area": "3",
}


async def section(agent, data: dict, **control: str):
    response = await agent.post_form(f"/forms/{CODE}/section", {**data, **control})
    assert response.status_code == 200, response.text[-2000:]
    return response.text


async def upload(agent, filename: str, content: bytes, mime: str, field: str = "land_contract"):
    return await agent.client.post(
        f"/forms/{CODE}/upload",
        data={"_field": field},
        files={"file": (filename, content, mime)},
        headers={"x-csrftoken": agent.csrf, "hx-request": "true"},
    )


async def test_conditional_group_and_computed_fields_are_rendered_by_the_server(
    with_sample_plugin, new_browser
):
    agent = await new_browser()
    await agent.login("agent")
    page = await agent.get(f"/file/{CODE}")
    assert page.status_code == 200
    assert f'hx-post="/forms/{CODE}/section"' in page.text
    assert 'name="plots[0].location"' in page.text and 'name="uscc"' not in page.text
    assert 'type="file"' in page.text and 'accept=".pdf,image/*"' in page.text

    cooperative = await section(agent, {**FARM, "operator_type": "cooperative"})
    assert 'name="uscc"' in cooperative  # shown once its condition holds

    assert re.search(r"<output[^>]*>3.00</output>", await section(agent, FARM))  # computed
    added = await section(agent, FARM, _op="add:plots")
    assert 'name="plots[1].area"' in added and 'value="河坝"' in added
    assert re.search(r"<output[^>]*>—</output>", added)  # not while an entry is incomplete

    two = {**FARM, "plots[1].location": "坡上", "plots[1].area": "1.5"}
    assert re.search(r"<output[^>]*>4.50</output>", await section(agent, two))
    removed = await section(agent, two, _op="remove:plots[0]")
    assert 'name="plots[1].area"' not in removed and 'value="坡上"' in removed
    assert "删除第 1 条" not in removed  # a required group keeps its last entry

    # Errors show for what was typed, not for fields the user has not reached yet.
    typed = await section(agent, {"plots[0].area": "abc"})
    assert "请输入数字" in typed and "此项为必填项" not in typed
    nonsense = await section(agent, FARM, _op="remove:../../etc")
    assert 'name="plots[0].area"' in nonsense


async def test_uploads_are_checked_and_only_the_uploaders_count(with_sample_plugin, new_browser):
    agent, other = await new_browser(), await new_browser()
    await agent.login("agent")
    good = await upload(agent, "合同.pdf", pdf_bytes(), "application/pdf")
    assert good.status_code == 200 and "已上传：合同.pdf" in good.text
    token = re.search(r'name="land_contract" value="([^"]+)"', good.text).group(1)
    fake = await upload(agent, "virus.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    assert 'name="land_contract" value=' not in fake.text and 'class="error"' in fake.text
    wrong = await upload(agent, "a.pdf", pdf_bytes(), "application/pdf", field="operator_name")
    assert wrong.status_code == 422

    # Someone else cannot put the agent's upload into a submission of theirs.
    await other.login("clerk")
    borrowed = await other.post_form(
        f"/file/{CODE}",
        {**RESIDENT, **FARM, "farm_address.unit": "509910101000", "land_contract": token},
    )
    assert borrowed.status_code == 422 and "找不到已上传的文件" in borrowed.text

    await authorise(agent, RESIDENT["applicant.name"], RESIDENT["applicant.id_number"], CODE)
    filed = await agent.post_form(f"/file/{CODE}", {**RESIDENT, **FARM, "land_contract": token})
    assert filed.status_code == 200, re.findall(r'class="error"[^>]*>([^<]*)<', filed.text)
    assert tracking_code_in(filed.text)


async def test_case_events_actors_and_a_plugin_switched_off(with_sample_plugin, new_browser, jobs):
    agent, admin, clerk = await new_browser(), await new_browser(), await new_browser()
    await agent.login("agent")
    token = re.search(
        r'name="land_contract" value="([^"]+)"',
        (await upload(agent, "合同.pdf", pdf_bytes(), "application/pdf")).text,
    ).group(1)
    await authorise(agent, RESIDENT["applicant.name"], RESIDENT["applicant.id_number"], CODE)
    filed = await agent.post_form(f"/file/{CODE}", {**RESIDENT, **FARM, "land_contract": token})
    case_id = int(str(filed.url).split("/cases/")[1].split("?")[0])

    # tongban_case_event: told about the committed submission, by the worker.
    await drain(jobs)
    assert (case_id, "submit") in sample_plugin.SEEN_EVENTS

    # tongban_actors: declared where jobs run, reached through the outbox.
    assert "sample_count" in load_plugin_actors()
    async with transaction():
        await outbox.enqueue("sample_count", case_id=case_id)
    await drain(jobs)
    from tests.catalog import sample_actors  # imported by the worker's loader above

    assert case_id in sample_actors.RUNS

    # Switched off for 綦江区: hidden and refused there; the case filed carries on.
    await admin.login("admin")
    try:
        await admin.post_form(
            "/admin/catalog/plugins",
            {"plugin": sample_plugin.NAME, "unit": "509910000000", "enabled": "0"},
        )
        assert f"/file/{CODE}" not in (await agent.get("/file/")).text
        refused = await agent.post_form(
            f"/file/{CODE}", {**RESIDENT, **FARM, "land_contract": token}
        )
        assert refused.status_code == 422 and "该部门的服务在本地已停用" in refused.text
        assert (await agent.get(f"/cases/{case_id}")).status_code == 200
        await clerk.login("clerk")
        accepted = await clerk.post_form(f"/cases/{case_id}/act", {"action": "accept"})
        assert accepted.status_code == 200
        back_on = await admin.post_form(
            "/admin/catalog/plugins",
            {"plugin": sample_plugin.NAME, "unit": "509910000000", "enabled": "1"},
        )
        assert back_on.status_code == 200
        assert f"/file/{CODE}" in (await agent.get("/file/")).text
    finally:
        await PluginSwitch.delete(force=True)
