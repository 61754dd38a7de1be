"""tongban_before_case_action: a plugin refuses an action before anything is written."""

from __future__ import annotations

import pytest

from core import hookimpl
from core.cases.tables import Case
from core.errors import TongbanError
from core.i18n import N_
from core.plugins import get_plugin_manager
from tests.cases.world import SIGN_ANY, SIMPLE


class SurveyMissing(TongbanError):
    status_code = 409
    message = N_("Record the site survey before approving.")


class Surveyor:
    def __init__(self) -> None:
        self.seen: list[tuple[int, str]] = []

    @hookimpl
    def tongban_before_case_action(self, case, action, item):
        self.seen.append((case["id"], action))
        if action == "accept" and item.code == SIMPLE:
            return self.refuse()
        return None

    async def refuse(self) -> None:
        raise SurveyMissing()


@pytest.fixture
def surveyor():
    plugin = Surveyor()
    get_plugin_manager().register(plugin, name="test_surveyor")
    yield plugin
    get_plugin_manager().unregister(name="test_surveyor")


async def test_a_plugin_refuses_an_action_and_nothing_changes(world, surveyor):
    case = await world.file(SIMPLE)
    before = await Case.select(Case.state, Case.event_count).where(Case.id == case["id"]).first()
    with pytest.raises(SurveyMissing):
        await world.act("t_clerk", case["id"], "accept")
    after = await Case.select(Case.state, Case.event_count).where(Case.id == case["id"]).first()
    assert after == before and (case["id"], "accept") in surveyor.seen
    # Another item's acceptance is none of the plugin's business.
    other = await world.file(SIGN_ANY)
    accepted = await world.act("t_clerk", other["id"], "accept")
    assert accepted["state"] == "in_review"
