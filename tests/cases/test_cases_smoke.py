from tests.cases.world import SIMPLE


async def test_file_accept_review_decide_issue_deliver(world, clock):
    from tests.cases.world import local

    clock.set(local(2026, 9, 30, 10))
    case = await world.file(SIMPLE)
    row = await world.act("t_clerk", case["id"], "accept")
    assert row["state"] == "in_review"
    assert str(row["due_on"]) == "2026-10-13"
