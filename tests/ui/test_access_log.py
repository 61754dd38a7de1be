"""The personal-data access log: an auditor or an admin sees who was shown which
resident's full number, when, from which unit and where; nobody else does."""

from __future__ import annotations

import re

from core.residents.tables import ResidentAccess
from tests.ui import flows


def row_of(html: str, access_id: int) -> list[str]:
    row = re.search(rf'<tr id="access-{access_id}">(.*?)</tr>', html, re.S)
    assert row, html
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row[1], re.S)]


async def test_the_auditor_and_the_admin_read_who_saw_a_full_number(people):
    agent, clerk = await people("agent"), await people("clerk")
    id_number, phone = flows.new_id_number("19880808"), flows.new_phone()
    resident_id = await flows.register(agent, "冯十二", id_number, phone)
    await flows.consent(agent, resident_id)
    await flows.file_pension(agent, resident_id, {})
    shown = await flows.post(
        clerk,
        f"/residents/{resident_id}/reveal",
        {"field": "id_number", "purpose": "受理核对身份证"},
        htmx=True,
    )
    assert shown.status_code == 200 and id_number in shown.text
    access = (
        await ResidentAccess.select()
        .where(ResidentAccess.resident == resident_id)
        .order_by(ResidentAccess.id, ascending=False)
        .first()
    )

    for who in ("auditor", "admin", "district"):
        reader = await people(who)
        console = await reader.get("/admin/")
        assert '<a href="/residents/access-log">个人信息查阅记录</a>' in console.text, who
        page = await reader.get("/residents/access-log")
        assert page.status_code == 200, who
        assert page.headers["cache-control"] == "no-store"
        cells = row_of(page.text, access["id"])
        assert cells[1] == "冯十二" and cells[2] == "身份证号" and cells[3] == "王窗口（赶水镇）"
        assert cells[4] == "赶水镇便民服务中心" and cells[5] == "窗口人员"
        assert cells[6] == "受理核对身份证"
        assert id_number not in page.text and phone not in page.text  # the log, not the numbers

    auditor = await people("auditor")
    phones = await auditor.get("/residents/access-log", params={"field": "phone"})
    assert f'id="access-{access["id"]}"' not in phones.text

    for who in ("clerk", "agent", "supervisor"):
        refused = await (await people(who)).get("/residents/access-log")
        assert refused.status_code == 403, who
        assert "冯十二" not in refused.text
