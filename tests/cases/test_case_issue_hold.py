"""tongban_issue_hold: a plugin holds the automatic issue of an approved case until its
condition is met, then releases it — the result is issued once, by the system."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.cases import issuing
from core.cases.tables import Case, CaseEvent
from core.db import transaction
from core.plugins import get_plugin_manager
from tests.cases.world import JOINT_REVIEW


class Inspector:
    """Results of JOINT_REVIEW wait for an on-site inspection to be recorded."""

    def __init__(self) -> None:
        self.inspected: set[int] = set()

    @hookimpl
    def tongban_issue_hold(self, case, item):
        if item.code == JOINT_REVIEW and case["id"] not in self.inspected:
            return {"awaiting": "inspection"}
        return None


@pytest.fixture
def inspector():
    plugin = Inspector()
    get_plugin_manager().register(plugin, name="test_inspector")
    yield plugin
    get_plugin_manager().unregister(name="test_inspector")


async def kinds(case_id: int) -> list[str]:
    rows = (
        await CaseEvent.select(CaseEvent.kind)
        .where(CaseEvent.case == case_id)
        .order_by(CaseEvent.seq)
    )
    return [r["kind"] for r in rows]


async def test_a_held_result_is_issued_once_when_released(world, inspector):
    case = await world.file(JOINT_REVIEW)
    cid = case["id"]
    await world.act("t_clerk", cid, "accept")
    await world.act("t_rev_a", cid, "pass")
    await world.act("t_app_b", cid, "pass")
    row = await world.act("t_app_a", cid, "approve")
    assert row["state"] == "approved"  # held, not issued
    assert (await kinds(cid))[-1] == "issue_held"
    assert (await issuing.held(row))["awaiting"] == "inspection"

    assert await issuing.release(cid) is False  # the condition is not met yet: still held
    assert (await Case.select(Case.state).where(Case.id == cid).first())["state"] == "approved"

    inspector.inspected.add(cid)
    async with transaction():
        assert await issuing.release(cid, cause={"inspection": "done"}) is True
    assert await issuing.release(cid) is False  # released twice, issued once
    assert (await Case.select(Case.state).where(Case.id == cid).first())["state"] == "issued"
    assert (await kinds(cid)).count("issue") == 1
