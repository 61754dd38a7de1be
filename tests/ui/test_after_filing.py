"""After filing: the receipt sent to the resident, a supplement handed in, the result handed back."""

from __future__ import annotations

import re

from core.cases.tables import Case, Notification
from core.i18n import gettext
from core.materials.tables import Upload
from core.workbench.services import MISSING_UPLOAD
from tests.ui import flows, media


async def _state(case_id: int) -> str:
    return (await Case.select(Case.state).where(Case.id == case_id).first())["state"]


async def test_the_receipt_is_sent_to_the_residents_phone_once(people):
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "韩十五", flows.new_id_number("19800101"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    case_id, code = await flows.file_pension(agent, resident_id, {})
    receipt = await agent.get(f"/workbench/cases/{case_id}/receipt")
    assert f'action="/workbench/cases/{case_id}/send"' in receipt.text
    sent = await flows.post(agent, f"/workbench/cases/{case_id}/send", {})
    assert "sent=1" in str(sent.url) and "回执已发送到群众手机" in sent.text
    assert f'action="/workbench/cases/{case_id}/send"' not in sent.text
    again = await flows.post(agent, f"/workbench/cases/{case_id}/send", {})
    assert "sent=again" in str(again.url)
    rows = await Notification.select().where(
        (Notification.case == case_id) & (Notification.audience == "applicant")
    )
    assert len(rows) == 1 and code in rows[0]["body"] and rows[0]["resident"] == resident_id


async def test_supplement_handed_in_from_the_workbench_then_the_result_handed_back(people):
    agent, clerk, approver = await people("agent"), await people("clerk"), await people("approver")
    resident_id = await flows.register(
        agent, "杨十六", flows.new_id_number("19620305"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    case_id, code = await flows.file_pension(agent, resident_id, {})

    asked = await flows.post(
        clerk,
        f"/cases/{case_id}/act",
        {"action": "request_supplement", "material": "id_card", "reason": "请补交身份证照片"},
    )
    assert asked.status_code == 200 and await _state(case_id) == "supplement_requested"
    page = await agent.get(f"/workbench/cases/{case_id}")
    assert "需补正的材料" in page.text and 'name="upload.id_card"' in page.text
    assert "请补交身份证照片" in page.text

    # Nothing attached: refused at the material's slot, nothing changes.
    empty = await flows.post(agent, f"/workbench/cases/{case_id}/supply", {"note": ""})
    assert empty.status_code == 422
    slot = re.search(r'id="err-upload-id_card"[^>]*>(.*?)</div>', empty.text, re.S).group(1)
    assert gettext("zh_CN", MISSING_UPLOAD) in slot
    assert await _state(case_id) == "supplement_requested"

    photo = flows.upload_id(
        (await flows.upload(agent, "upload.id_card", "id.jpg", media.jpeg(), "image/jpeg")).text
    )
    handed = await flows.post(
        agent, f"/workbench/cases/{case_id}/supply", {"_material.id_card": photo, "note": "已补"}
    )
    assert "done=supplied" in str(handed.url) and "补正材料已提交" in handed.text
    assert await _state(case_id) == "submitted"
    row = await Upload.select(Upload.case, Upload.round).where(Upload.public_id == photo).first()
    assert row == {"case": case_id, "round": 1}

    await flows.post(clerk, f"/cases/{case_id}/act", {"action": "accept"})
    await flows.post(approver, f"/cases/{case_id}/act", {"action": "approve"})
    assert await _state(case_id) == "issued"
    home = await agent.get("/workbench/")
    waiting = home.text.split("待送达的结果")[1].split("</section>")[0]
    assert code in waiting
    page = await agent.get(f"/workbench/cases/{case_id}")
    assert "送达办理结果" in page.text
    done = await flows.post(agent, f"/workbench/cases/{case_id}/hand-back", {"method": "window"})
    assert "done=handed" in str(done.url) and await _state(case_id) == "delivered"
    home = await agent.get("/workbench/")
    assert code not in home.text.split("待送达的结果")[1].split("</section>")[0]
