"""The scoping layer: who sees which cases, residents, case rows and staff — and who may change.

Cases are bare rows (a filing unit, the units they are routed to) so that these
tests pin the rules of core/tenancy/scope.py and nothing else.
"""

from __future__ import annotations

import pytest

from core.cases.tables import Case, Task
from core.errors import PermissionDenied
from core.residents.tables import Resident
from core.tenancy.scope import (
    case_visibility,
    document_visibility,
    own_filings,
    require_write,
    resident_visibility,
    staff_visibility,
    under,
)
from core.tenancy.tables import Staff, Unit
from tests.tenancy.support import bare_case, bare_resident, principal

MALIU = "509910101201"  # a village of Ganshui township, Qijiang
GANSHUI_CENTRE = "509910101000-BM"
SHIJIAO_VILLAGE = "509910102201"
DAGUAN_VILLAGE = "509920101201"  # Nanchuan
QIJIANG_SB = "509910000000-SB"


@pytest.fixture(scope="module")
async def cases(catalogue):
    return {
        "maliu": await bare_case(MALIU, tasks_at=(GANSHUI_CENTRE,)),
        "ganshui_centre": await bare_case(GANSHUI_CENTRE),
        "shijiao": await bare_case(SHIJIAO_VILLAGE),
        "daguan": await bare_case(DAGUAN_VILLAGE),
        "routed_to_sb": await bare_case(SHIJIAO_VILLAGE, tasks_at=(QIJIANG_SB,)),
    }


async def visible(username: str, ids: dict[str, int], *, write: bool = False) -> set[str]:
    who = await principal(username)
    where = case_visibility(who, Case, Task, write=write)
    if where is None:
        return set()
    found = {
        r["id"] for r in await Case.select(Case.id).where(where & Case.id.is_in(list(ids.values())))
    }
    return {name for name, case_id in ids.items() if case_id in found}


async def test_a_township_window_sees_its_township_and_villages_only(cases):
    assert await visible("clerk", cases) == {"maliu", "ganshui_centre"}
    assert await visible("clerk2", cases) == {"daguan"}


async def test_own_filings_are_what_one_filed_where_one_still_serves(catalogue):
    """The workbench's lists: the agent's own filings at their village — not a colleague's
    filing at the same village, nor one from a village they no longer serve."""
    agent, colleague = await principal("agent"), await principal("clerk")
    filed = {
        "mine": (await bare_case(MALIU), agent),
        "colleague's": (await bare_case(MALIU), colleague),
        "left behind": (await bare_case(SHIJIAO_VILLAGE), agent),
    }
    for case_id, filer in filed.values():
        await Case.update({Case.filed_by: filer.staff_id}).where(Case.id == case_id)
    ids = [case_id for case_id, _ in filed.values()]
    rows = await Case.select(Case.id).where(own_filings(agent, Case) & Case.id.is_in(ids))
    assert {r["id"] for r in rows} == {filed["mine"][0]}
    # The colleague (the township's window) sees their own filing under the same rule.
    rows = await Case.select(Case.id).where(own_filings(colleague, Case) & Case.id.is_in(ids))
    assert {r["id"] for r in rows} == {filed["colleague's"][0]}


async def test_a_department_sees_what_is_routed_to_it_not_the_whole_district(cases):
    assert await visible("reviewer", cases) == {"routed_to_sb"}


async def test_a_district_sees_its_district_and_the_city_sees_everything(cases):
    assert await visible("district", cases) == {
        "maliu",
        "ganshui_centre",
        "shijiao",
        "routed_to_sb",
    }
    assert await visible("admin", cases) == set(cases)


async def test_a_village_agent_sees_its_village(cases):
    assert await visible("agent", cases) == {"maliu"}


async def test_an_auditor_sees_everything_and_may_change_nothing(cases):
    auditor = await principal("auditor")
    assert await visible("auditor", cases) == set(cases)
    assert await visible("auditor", cases, write=True) == set()
    assert auditor.read_only and auditor.console_access and not auditor.is_site_admin
    with pytest.raises(PermissionDenied):
        require_write(auditor)
    require_write(await principal("clerk"))  # a writer passes


async def test_residents_are_visible_through_their_cases(catalogue):
    mine, theirs = await bare_resident(), await bare_resident()
    await bare_case(MALIU, resident=mine)
    await bare_case(DAGUAN_VILLAGE, resident=theirs)
    clerk = await principal("clerk")
    where = resident_visibility(clerk, Resident, Case, Task)
    ids = {
        r["id"]
        for r in await Resident.select(Resident.id).where(where & Resident.id.is_in([mine, theirs]))
    }
    assert ids == {mine}


async def test_rows_of_a_case_are_visible_with_their_case(cases):
    # Documents, materials, tasks: anything hanging on a case through a foreign key.
    await bare_case(DAGUAN_VILLAGE, tasks_at=("509920101000-BM",))
    clerk = await principal("clerk2")
    where = document_visibility(clerk, Task.case, Case, Task)
    rows = await Task.select(Task.case).where(where & Task.case.is_in(list(cases.values())))
    assert {r["case"] for r in rows} <= {cases["daguan"]}
    mine = await Task.select(Task.case.filed_unit.code).where(where)
    assert mine and {r["case.filed_unit.code"][:6] for r in mine} == {"509920"}


async def test_staff_are_visible_to_admins_of_their_subtree_only(catalogue):
    async def usernames(who: str) -> set[str]:
        where = staff_visibility(await principal(who))
        if where is None:
            return set()
        return {r["username"] for r in await Staff.select(Staff.username).where(where)}

    district = await usernames("district")
    assert {"clerk", "agent", "reviewer", "district"} <= district
    assert "clerk2" not in district and "admin" not in district
    assert {"clerk", "clerk2", "admin"} <= await usernames("admin")
    assert "clerk2" in await usernames("auditor")  # inspects, read-only
    assert await usernames("clerk") == set()  # not an admin


async def test_a_subtree_is_one_prefix_predicate():
    where = under(Unit.path, "/509900000000/509910000000/")
    codes = {r["code"] for r in await Unit.select(Unit.code).where(where)}
    assert "509910101201" in codes and "509920000000" not in codes
    with pytest.raises(ValueError):
        under(Unit.path, "/5099%/")  # never silently widened
