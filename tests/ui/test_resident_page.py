"""The resident's page, which the agent comes back to after every consent: light on a slow
line (the latest cases only, the rest one link away), and clear when nothing was signed."""

from __future__ import annotations

import re

from core.workbench.routes_residents import RECENT_CASES
from tests.ui import flows
from tests.ui.conftest import speaking


def _codes(html: str) -> list[str]:
    return re.findall(r'class="code">([0-9X]{18})<', html)


async def test_the_resident_page_lists_the_latest_cases_and_links_to_all_of_them(people):
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "郑十八", flows.new_id_number("19590623"), flows.new_phone()
    )
    filed = []
    for _ in range(RECENT_CASES + 2):
        await flows.consent(agent, resident_id)
        filed.append((await flows.file_pension(agent, resident_id, {}))[1])
    other = await flows.register(
        agent, "冯十九", flows.new_id_number("19600101"), flows.new_phone()
    )
    await flows.consent(agent, other)
    _, others_code = await flows.file_pension(agent, other, {})

    page = await agent.get(f"/workbench/residents/{resident_id}?consented=1")
    assert page.status_code == 200
    section = page.text.split('id="resident-cases"', 1)[1]
    shown = _codes(section)
    assert shown == filed[::-1][:RECENT_CASES], "the newest first, and only the latest few"
    assert filed[0] not in page.text and filed[1] not in page.text
    assert f"最近 {RECENT_CASES} 件。" in section
    link = f'href="/workbench/cases?resident={resident_id}"'
    assert link in section and "我为 郑十八 代办的全部办件" in section

    everything = await agent.get(f"/workbench/cases?resident={resident_id}")
    assert everything.status_code == 200
    assert "我为 郑十八 代办的办件" in everything.text
    assert sorted(_codes(everything.text)) == sorted(filed), "all of them, no one else's"
    assert others_code not in everything.text
    # The state filter keeps to this resident (the form carries the resident along)...
    assert f'name="resident" value="{resident_id}"' in everything.text
    submitted = await agent.get(
        f"/workbench/cases?resident={resident_id}&state=submitted",
        headers={"HX-Request": "true", "HX-Target": "case-list"},
    )
    assert sorted(_codes(submitted.text)) == sorted(filed)
    # ...and the counts in the filter are this resident's.
    assert f"已提交 ({len(filed)})" in everything.text

    with speaking(agent, "en"):
        english = await agent.get(f"/workbench/residents/{resident_id}")
    assert "All cases I filed for 郑十八" in english.text
    assert f"The {RECENT_CASES} most recent." in english.text

    # A resident with fewer cases: no "most recent" note, the link is still there.
    few = await agent.get(f"/workbench/residents/{other}")
    assert "最近" not in few.text.split('id="resident-cases"', 1)[1]
    assert f'href="/workbench/cases?resident={other}"' in few.text


async def test_the_case_list_of_a_resident_out_of_reach_is_refused(people):
    agent, far_clerk = await people("agent"), await people("clerk2")
    resident_id = await flows.register(
        agent, "陈二十", flows.new_id_number("19610202"), flows.new_phone()
    )
    assert "陈二十" in (await agent.get(f"/workbench/cases?resident={resident_id}")).text
    missing = await agent.get("/workbench/cases?resident=999999999")
    assert missing.status_code == 404
    # clerk2 works at 大观镇, in another district: not even the name, as for a missing one.
    refused = await far_clerk.get(f"/workbench/cases?resident={resident_id}")
    assert refused.status_code == 404 and "陈二十" not in refused.text


async def test_an_authorisation_submitted_without_a_signature_says_so(people):
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "褚廿一", flows.new_id_number("19630303"), flows.new_phone()
    )
    url = f"/workbench/residents/{resident_id}/consent"
    empty = await flows.post(agent, url, {"method": "tablet", "signature": ""})
    assert empty.status_code == 422
    assert "褚廿一 尚未签名。请其用手指或触控笔在签名框内签名。" in empty.text
    assert "PNG" not in empty.text
    with speaking(agent, "en"):
        english = await flows.post(agent, url, {"method": "tablet", "signature": ""})
    assert "has not signed yet. Ask them to sign in the box" in english.text
    page = await agent.get(f"/workbench/residents/{resident_id}")
    assert "代办前请先记录群众的授权" in page.text, "nothing was recorded"


async def test_the_window_sees_the_application_as_the_agent_filed_it(people):
    """The clerk's case page shows the answers readably: the chosen grade by its label,
    the address with its detail — not "unit, detail" — and no "None" for a blank one."""
    agent, clerk = await people("agent"), await people("clerk")
    resident_id = await flows.register(
        agent, "卫廿二", flows.new_id_number("19640404"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    case_id, _ = await flows.file_pension(agent, resident_id, {}, remark="腿脚不便")
    page = await clerk.get(f"/cases/{case_id}")
    assert page.status_code == 200
    application = page.text.split("<h2>申请内容</h2>", 1)[1].split("</section>", 1)[0]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", application))
    assert "unit, detail" not in text and "None" not in text, text
    assert "麻柳村 三组12号" in text and "509910101201" not in text, text  # the place by name
    assert "500元" in text and "腿脚不便" in text, text
    assert "缴费困难群体类别" not in text, "a question left blank is not listed"
