"""A staff member's messages (the workbench's and the desk's Messages) read in the reader's
language, whatever language the message was delivered in; a message kept from before
messages were stored in every language shows its stored text."""

from __future__ import annotations

import html
import re

from core.cases.tables import Notification
from tests.cases.world import SIMPLE, local
from tests.helpers import drain

PASSWORD = "test-password-1"


def _inbox(page: str) -> str:
    """The Messages section of a page, as the reader sees its text."""
    assert 'id="msg-h"' in page or 'id="messages-inbox"' in page, "no messages on the page"
    start = page.index('id="msg-h"') if 'id="msg-h"' in page else page.index('id="messages-inbox"')
    return html.unescape(page[start : page.index("</section>", start)])


async def test_the_agent_reads_each_message_in_their_language(world, clock, jobs, new_browser):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    code = case["tracking_code"]
    await world.act("t_clerk", case["id"], "accept")
    await drain(jobs)
    await drain(jobs)
    stored = await Notification.select(Notification.subject, Notification.locale).where(
        (Notification.case == case["id"]) & (Notification.audience == "agent")
    )
    assert [r["subject"] for r in stored] == [f"申请已受理 · {code}"]  # delivered in zh-CN

    # A message kept from before: its stored text only, whatever the reader's language.
    older = await world.file(SIMPLE)
    await Notification.insert(
        Notification(
            key=f"{older['id']}:old:agent",
            case=older["id"],
            event_seq=1,
            audience="agent",
            staff=world.staff["t_agent"],
            subject=f"旧消息 · {older['tracking_code']}",
            body="这是一条旧消息。",
            locale="zh_CN",
        )
    )

    agent = await new_browser()
    await agent.login("t_agent", PASSWORD)
    for url in ("/workbench/", "/desk/"):
        zh = _inbox((await agent.get(url)).text)
        assert f"申请已受理 · {code}" in zh and "Application accepted" not in zh
        assert f"旧消息 · {older['tracking_code']}" in zh
        agent.client.cookies.set("lang", "en")
        en = _inbox((await agent.get(url)).text)
        agent.client.cookies.delete("lang")
        assert f"Application accepted · {code}" in en and "申请已受理" not in en
        assert f"旧消息 · {older['tracking_code']}" in en  # an old row: its stored text
        if url == "/desk/":  # the desk shows the body too
            assert f"“Test item {SIMPLE}” ({code}) was accepted" in en
            assert "已受理。" not in en and "受理" in zh


async def test_the_supplement_notice_and_the_due_day_read_in_the_readers_language(
    world, clock, jobs, new_browser
):
    """The supplement message is the notice itself, made again in the reader's language
    from the materials asked for (the stored notice is in the site's); a due day is
    written as the reader's language writes a day."""
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    code = case["tracking_code"]
    await world.act(
        "t_clerk",
        case["id"],
        "request_supplement",
        materials=[
            {"code": "id_card", "problem": "missing"},
            {"code": "application", "problem": "defective", "note": "未签名"},
        ],
    )
    await world.act("t_agent", case["id"], "supply")
    await world.act("t_clerk", case["id"], "accept")
    await drain(jobs)
    await drain(jobs)

    agent = await new_browser()
    await agent.login("t_agent", PASSWORD)
    zh = _inbox((await agent.get("/desk/")).text)
    agent.client.cookies.set("lang", "en")
    en = _inbox((await agent.get("/desk/")).text)
    agent.client.cookies.delete("lang")
    assert f"One-time supplement notice for “Test item {SIMPLE}” (tracking code {code})." in en
    assert "1. ID card — missing" in en and "2. Application form — defective: 未签名" in en
    assert "居民身份证" not in en and "一次性告知" not in en
    assert "1. 居民身份证 — 缺少" in zh
    assert re.search(r"was accepted\. It is due by [A-Z][a-z]{2} \d{1,2}, 2026\.", en), en
    assert re.search(r"2026年\d{1,2}月\d{1,2}日", zh), zh
