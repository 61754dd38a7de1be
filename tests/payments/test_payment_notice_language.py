"""The payment reminder and the lapse notice read in the agent's language in their inbox
(the workbench's and the desk's Messages), whatever language they were delivered in."""

from __future__ import annotations

import html
from datetime import timedelta

from core.payments import lapse
from tests.helpers import drain, site_today
from tests.payments.test_payment_deadline import held_case, messages, on


def _inbox(page: str) -> str:
    """The Messages section of a page, as the reader sees its text."""
    marker = 'id="msg-h"' if 'id="msg-h"' in page else 'id="messages-inbox"'
    assert marker in page, "no messages on the page"
    start = page.index(marker)
    return html.unescape(page[start : page.index("</section>", start)])


async def _read(agent, url: str, lang: str | None) -> str:
    if lang:
        agent.client.cookies.set("lang", lang)
    try:
        return _inbox((await agent.get(url)).text)
    finally:
        if lang:
            agent.client.cookies.delete("lang")


async def test_the_agent_reads_the_reminder_and_the_lapse_in_their_language(staff, jobs):
    case = await held_case(staff)
    cid, tracking = case["id"], case["tracking_code"]
    pay_by = site_today() + timedelta(days=15)
    agent = await staff("agent")

    await lapse.run(on(pay_by - timedelta(days=3)))
    await drain(jobs)
    assert [n["locale"] for n in await messages(cid, "payment_reminder")] == ["zh_CN"] * 2
    for url in ("/workbench/", "/desk/"):
        zh = await _read(agent, url, None)
        assert f"缴款期限将至 · {tracking}" in zh and "Payment deadline near" not in zh
        en = await _read(agent, url, "en")
        assert f"Payment deadline near · {tracking}" in en and "缴款期限将至" not in en
    en = await _read(agent, "/desk/", "en")  # the desk shows the body too
    assert "Reminder: please pay 10.50 yuan for “" in en
    assert f"({tracking}) with payment code {case['payment_code']} at a bank counter" in en
    assert "请于" not in en

    await lapse.run(on(pay_by + timedelta(days=1), 0))
    await drain(jobs)
    for url in ("/workbench/", "/desk/"):
        zh = await _read(agent, url, None)
        assert f"逾期未缴费，申请已终止 · {tracking}" in zh
        assert "Fees not paid in time" not in zh
        en = await _read(agent, url, "en")
        assert f"Fees not paid in time: application closed · {tracking}" in en
        assert "逾期未缴费" not in en
    en = await _read(agent, "/desk/", "en")
    assert f"({tracking}), 10.50 yuan, were not paid by" in en
    assert "so the application is deemed withdrawn" in en and "视为撤回" not in en
