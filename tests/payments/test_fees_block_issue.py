"""A fee not yet paid blocks the issue step; paid or waived fees let it go ahead.

Uses the case tests' world: an item with a 10-yuan fee and one with the fee
waived (0.00), both with an issue step after the decision.
"""

from __future__ import annotations

from core.cases.errors import error_text
from core.cases.tables import Case, CaseEvent
from core.payments import services as payments
from core.payments.errors import FeesUnpaid
from core.payments.tables import Assessment
from core.tenancy.auth import load_principal
from core.tenancy.tables import Staff
from tests.cases.conftest import world  # noqa: F401 - the fixture
from tests.cases.world import FEE_ITEM, WAIVED_ITEM

PASSWORD = "test-password-1"


async def decided(world, item_code: str) -> dict:  # noqa: F811
    case = await world.file(item_code)
    await world.act("t_clerk", case["id"], "accept")
    await world.act("t_app_a", case["id"], "approve")
    return case


async def state_of(case_id: int) -> tuple[str, int]:
    row = await Case.select(Case.state, Case.event_count).where(Case.id == case_id).first()
    return row["state"], row["event_count"]


async def teller():
    row = await Staff.select(Staff.id).where(Staff.username == "teller").first()
    return await load_principal(row["id"])


async def test_an_unpaid_fee_blocks_the_issue_step_with_a_clear_message(world, new_browser):  # noqa: F811
    case = await decided(world, FEE_ITEM)
    before = await state_of(case["id"])
    assert before[0] == "approved"

    approver = await new_browser()
    await approver.login("t_app_a", PASSWORD)
    page = await approver.post_form(f"/cases/{case['id']}/act", {"action": "issue"})
    assessment = await Assessment.select().where(Assessment.case == case["id"]).first()
    assert page.status_code == 409
    assert "尚未缴纳" in page.text and "10.00" in page.text
    assert assessment["payment_code"] in page.text
    assert await state_of(case["id"]) == before  # nothing written
    assert not await CaseEvent.exists().where(
        (CaseEvent.case == case["id"]) & (CaseEvent.kind == "issue")
    )

    # The same refusal through the API, in English for an English speaker.
    try:
        await world.act("t_app_a", case["id"], "issue")
    except FeesUnpaid as refused:
        english = error_text(refused, "en")
    else:
        raise AssertionError("an unpaid fee let the result be issued")
    assert "have not been paid" in english and assessment["payment_code"] in english

    # Paid at the bank counter: now the result is issued.
    await payments.record_payment(
        await teller(),
        assessment["payment_code"],
        channel_key="bank_counter",
        reference="ZH20261123990001",
        amount="10.00",
    )
    issued = await world.act("t_app_a", case["id"], "issue")
    assert issued["state"] == "issued"


async def test_a_waived_fee_lets_the_result_be_issued(world):  # noqa: F811
    case = await decided(world, WAIVED_ITEM)
    issued = await world.act("t_app_a", case["id"], "issue")
    assert issued["state"] == "issued"
    assessment = await Assessment.select().where(Assessment.case == case["id"]).first()
    assert assessment["total_fen"] == 0 and assessment["status"] == "paid"


async def test_other_actions_are_not_held_up_by_an_unpaid_fee(world):  # noqa: F811
    case = await world.file(FEE_ITEM)
    accepted = await world.act("t_clerk", case["id"], "accept")
    assert accepted["state"] == "in_review"
    denied = await world.act("t_app_a", case["id"], "deny", reason="材料不符")
    assert denied["state"] == "denied"
