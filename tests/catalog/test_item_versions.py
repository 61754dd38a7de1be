"""Done when: changing an item's form while cases are in progress leaves those cases
readable and processable under their original version; new cases get the new one."""

from __future__ import annotations

import contextlib

import msgspec

from core.cases.tables import Case
from core.catalog.forms import Field, Form
from core.catalog.registry import get_catalog
from core.catalog.versions import item_for_version
from core.catalog.workflow import Workflow
from tests.test_walking_skeleton import FORM, PENSION, RESIDENT, file_pension


@contextlib.contextmanager
def released(item):
    """The plugin ships a new release of ``item`` while the site runs."""
    catalog = get_catalog()
    old = catalog.items[item.code]
    catalog.items[item.code] = item
    try:
        yield
    finally:
        catalog.items[item.code] = old


def new_release(old):
    """A release that drops the remark, adds a required bank account and renames the steps."""
    fields = [f for f in old.form.fields if f.name != "remark"]
    fields.append(Field(name="bank_account", type="text", label="社保卡银行账号", required=True))
    steps = tuple(
        msgspec.structs.replace(s, name=s.name + "（新版）", name_en=s.name_en + " (new)")
        for s in old.workflow.steps
    )
    return msgspec.structs.replace(old, form=Form(fields=fields), workflow=Workflow(steps=steps))


async def test_a_changed_form_leaves_cases_in_progress_on_their_version(new_browser):
    agent, clerk, approver = [await new_browser() for _ in range(3)]
    await agent.login("agent")
    old_case, old_code = await file_pension(agent)
    old_item = get_catalog().items[PENSION]

    with released(new_release(old_item)):
        # The case filed before shows the form it was filed with, values and all.
        page = await agent.get(f"/cases/{old_case}")
        assert page.status_code == 200
        assert "备注" in page.text and "&lt;b&gt;自愿参保&lt;/b&gt;" in page.text
        assert "社保卡银行账号" not in page.text

        # A new filing is checked against the new form …
        missing = await agent.post_form(f"/file/{PENSION}", {**RESIDENT, **FORM})
        assert missing.status_code == 422 and "社保卡银行账号" in missing.text
        new_case, _ = await file_pension_with(agent, {"bank_account": "6217000012345678"})

        # … while the old case is handled to the end under its own version.
        await clerk.login("clerk")
        accepted = await clerk.post_form(f"/cases/{old_case}/act", {"action": "accept"})
        assert accepted.status_code == 200 and "审核中" in accepted.text
        await approver.login("approver")
        approved = await approver.post_form(
            f"/cases/{old_case}/act", {"action": "approve", "reason": "符合条件"}
        )
        assert "已出结果" in approved.text

    rows = {
        r["id"]: r["item_version"]
        for r in await Case.select(Case.id, Case.item_version).where(
            Case.id.is_in([old_case, new_case])
        )
    }
    assert rows[old_case] != rows[new_case]
    filed_under = await item_for_version(rows[old_case])
    assert [f.name for f in filed_under.form.fields] == [f.name for f in old_item.form.fields]
    assert "bank_account" in [f.name for f in (await item_for_version(rows[new_case])).form.fields]
    # After the release is withdrawn, the new case still reads under the version it was filed with.
    page = await agent.get(f"/cases/{new_case}")
    assert (
        page.status_code == 200
        and "社保卡银行账号" in page.text
        and "6217000012345678" in page.text
    )


async def file_pension_with(agent, extra: dict) -> tuple[int, str]:
    from tests.helpers import authorise, tracking_code_in

    await authorise(agent, RESIDENT["applicant.name"], RESIDENT["applicant.id_number"])
    response = await agent.post_form(f"/file/{PENSION}", {**RESIDENT, **FORM, **extra})
    assert response.status_code == 200, response.text[-3000:]
    case_id = int(str(response.url).split("/cases/")[1].split("?")[0])
    return case_id, tracking_code_in(response.text)
