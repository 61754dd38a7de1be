"""Batch actions on the window desk: several cases at once, each checked on its own."""

from __future__ import annotations

from core.cases.tables import Case
from core.errors import CaseNotFound
from core.i18n import gettext
from tests.ui import flows


async def _filed(agent) -> int:
    resident_id = await flows.register(
        agent, "冯十二", flows.new_id_number("19800101"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    case_id, _ = await flows.file_pension(agent, resident_id, {})
    return case_id


async def test_a_clerk_accepts_several_cases_at_once_and_sees_which_were_refused(people):
    agent, clerk = await people("agent"), await people("clerk")
    first, second = await _filed(agent), await _filed(agent)
    desk = await clerk.get("/desk/")
    assert 'id="batch-form"' in desk.text
    assert f'name="case" value="{first}" form="batch-form"' in desk.text

    done = await flows.post(
        clerk,
        "/desk/batch/",
        [("action", "accept"), ("case", str(first)), ("case", str(second)), ("case", "999999")],
    )
    assert done.status_code == 200
    assert gettext("zh_CN", "%(done)s of %(total)s cases done.", done=2, total=3) in done.text
    states = {
        r["id"]: r["state"]
        for r in await Case.select(Case.id, Case.state).where(Case.id.is_in([first, second]))
    }
    assert set(states.values()) <= {"accepted", "in_review"}, states
    assert gettext("zh_CN", CaseNotFound.message) in done.text  # the stranger, said plainly

    again = await flows.post(clerk, "/desk/batch/", [("action", "accept"), ("case", str(first))])
    assert again.status_code == 200 and 'class="error"' in again.text  # nothing left to accept

    nothing = await flows.post(clerk, "/desk/batch/", [("action", "accept")])
    assert nothing.status_code == 422
