"""Address validation looks up only the unit codes a submission holds, at once: a unit
deactivated a moment ago is refused, one added a moment ago is accepted, and data that
holds no unit code costs no query (the unit table is never read whole)."""

from __future__ import annotations

import pytest

from core.catalog.form_context import form_context, unit_codes_in
from core.catalog.forms import load_form, validate
from core.tenancy.tables import Unit
from tests.catalog import sample_plugin
from tests.tenancy.support import scratch_township

CODE = sample_plugin.ITEM_CODE
UNKNOWN_PLACE = "所选地点不在本系统的区划列表中"  # the form's message (field_messages)
RESIDENT = {
    "applicant.name": "赵六",
    "applicant.id_number": "11010519491231002X",
    "applicant.phone": "13800138000",
}
FARM = {
    "operator_name": "赵六",
    "operator_type": "individual",
    "farm_address.detail": "3组",
    "plots[0].location": "河坝",
    "plots[0].area": "3",
}

# An address at the top, and addresses inside a repeating group (nested in another).
HOUSEHOLDS = load_form(
    {
        "fields": [
            {"name": "home", "type": "address", "label": "住址", "detail": "optional"},
            {
                "name": "households",
                "type": "group",
                "label": "家庭",
                "fields": [
                    {"name": "name", "type": "text", "label": "户主"},
                    {"name": "address", "type": "address", "label": "地址", "detail": "none"},
                    {
                        "name": "moves",
                        "type": "group",
                        "label": "迁移",
                        "fields": [
                            {"name": "to", "type": "address", "label": "迁往", "detail": "none"}
                        ],
                    },
                ],
            },
        ]
    }
)


@pytest.fixture
def unit_queries(monkeypatch):
    """The SQL statements that read the unit table while the test runs."""
    engine_class = type(Unit._meta.db)  # an engine has __slots__: patched on its class
    seen: list[str] = []
    run = engine_class.run_querystring

    async def counting(self, querystring, *args, **kwargs):
        sql = str(querystring)
        if "tenancy_unit" in sql:
            seen.append(sql)
        return await run(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    return seen


def test_the_codes_are_found_wherever_the_data_holds_them() -> None:
    data = {
        "home": {"unit": "５０９９１０１０１２０１", "detail": "3组"},  # full-width, as typed
        "households": [
            {
                "name": "王五",
                "address": "5099 1010 1202",
                "moves": [{"to": {"unit": "509910-101203"}}],
            },
            {"name": "123456789012345", "address": 509910101204},  # a client's number
        ],
        "phone": "13800138000",
        "note": "509910101201 and more",  # text that merely contains a code is none
        "flag": True,
    }
    assert sorted(unit_codes_in(data)) == [
        "509910101201",
        "509910101202",
        "509910101203",
        "509910101204",
    ]
    assert unit_codes_in({"a": "x", "b": ["", None, 3], "c": {"d": "12345678901"}}) == []
    many = {f"f{n}": f"{509910000000 + n}" for n in range(900)}
    assert len(unit_codes_in(many)) == 500  # one bounded query, whatever is posted


async def test_data_without_a_unit_code_reads_no_unit(app, unit_queries) -> None:
    data = {"households": [{"name": "王五", "moves": []}], "home": {"unit": "", "detail": "河坝"}}
    context = await form_context(data, staff_id=None)
    assert context.known_unit_codes == frozenset() and unit_queries == []
    result = validate(HOUSEHOLDS, data, **context.kwargs())
    assert [e.path for e in result.errors] == ["home"]  # a detail without a place, as before
    await form_context({}, staff_id=None)
    assert unit_queries == []


async def test_addresses_in_repeating_groups_are_checked_with_one_query(app, unit_queries) -> None:
    codes = await scratch_township(villages=3)
    unit_queries.clear()
    data = {
        "home": {"unit": codes["village1"], "detail": ""},
        "households": [
            {
                "name": "王五",
                "address": codes["village2"],
                "moves": [{"to": {"unit": "999999999999"}}],
            },
            {"name": "李四", "address": codes["village3"], "moves": [{"to": codes["township"]}]},
        ],
    }
    context = await form_context(data, staff_id=None)
    assert len(unit_queries) == 1, unit_queries
    assert " IN " in unit_queries[0].upper() and "active" in unit_queries[0]
    assert context.known_unit_codes == {
        codes["village1"],
        codes["village2"],
        codes["village3"],
        codes["township"],
    }
    result = validate(HOUSEHOLDS, data, **context.kwargs())
    assert [(e.path, e.message) for e in result.errors] == [
        ("households[0].moves[0].to", "This place is not in the list of known places")
    ]


async def section(agent, data: dict) -> str:
    response = await agent.post_form(f"/forms/{CODE}/section", data)
    assert response.status_code == 200, response.text[-2000:]
    return response.text


async def test_a_unit_deactivated_just_now_is_refused_at_once(with_sample_plugin, new_browser):
    codes = await scratch_township(villages=2)
    agent = await new_browser()
    await agent.login("agent")
    # Both villages are good places a moment before (any per-process list would now hold them).
    for village in ("village1", "village2"):
        page = await section(agent, {**FARM, "farm_address.unit": codes[village]})
        assert UNKNOWN_PLACE not in page
    await Unit.update({Unit.active: False}).where(Unit.code == codes["village1"])

    page = await section(agent, {**FARM, "farm_address.unit": codes["village1"]})
    assert UNKNOWN_PLACE in page
    filed = await agent.post_form(
        f"/file/{CODE}", {**RESIDENT, **FARM, "farm_address.unit": codes["village1"]}
    )
    assert filed.status_code == 422 and UNKNOWN_PLACE in filed.text
    # The other village is still a place, and so is the first once it is active again.
    assert UNKNOWN_PLACE not in await section(
        agent, {**FARM, "farm_address.unit": codes["village2"]}
    )
    await Unit.update({Unit.active: True}).where(Unit.code == codes["village1"])
    assert UNKNOWN_PLACE not in await section(
        agent, {**FARM, "farm_address.unit": codes["village1"]}
    )


async def test_a_unit_added_just_now_is_accepted_at_once(with_sample_plugin, new_browser):
    agent = await new_browser()
    await agent.login("agent")
    before = await scratch_township(villages=1)
    page = await section(agent, {**FARM, "farm_address.unit": before["village1"]})
    assert UNKNOWN_PLACE not in page  # (any per-process list of places is fresh now)
    added = await scratch_township(villages=1)  # an admin imports a township a moment later
    page = await section(agent, {**FARM, "farm_address.unit": added["village1"]})
    assert UNKNOWN_PLACE not in page and f'value="{added["village1"]}"' in page
    never = added["village1"][:9] + "299"  # no such village
    assert UNKNOWN_PLACE in await section(agent, {**FARM, "farm_address.unit": never})


async def test_dates_count_from_the_sites_day_in_its_time_zone(site, monkeypatch):
    """``max = "today"`` means the site's today: a date that is already today on
    Kiritimati (UTC+14) is accepted there and refused, as in the future, at UTC−12."""
    import dataclasses
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import core.settings

    form = load_form({"fields": [{"name": "on", "type": "date", "label": "日期", "max": "today"}]})
    ahead = datetime.now(ZoneInfo("Pacific/Kiritimati")).date().isoformat()
    settings = core.settings.get_settings()
    for zone, accepted in (("Pacific/Kiritimati", True), ("Etc/GMT+12", False)):
        changed = dataclasses.replace(settings, timezone=zone)
        monkeypatch.setattr(core.settings, "get_settings", lambda changed=changed: changed)
        known = (await form_context({"on": ahead}, staff_id=None)).kwargs()
        result = validate(form, {"on": ahead}, **known)
        assert (result.errors == []) is accepted, (zone, result.errors)
