"""A village moved to another township takes its figures along within minutes.

V1 (village A1 of district 88) files a three-day case on Mon 2 Nov 2026, accepted the
same day: due Thu 5 Nov, overdue from 6 Nov. On Tue 10 Nov, after the night's
reconciliation, the city admin moves village A1 from town A to town B. The case's
own unit path changes with the move; the supervisors' figures must follow at the
next reports tick, not the next night: town B files 1 and has 1 overdue (on its
red list too), town A none.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.cases.sweep import run_sweep
from core.reports import figures, periodic
from core.tenancy.auth import load_principal
from core.tenancy.tables import Staff, Unit
from core.tenancy.units import move_unit
from tests.helpers import drain
from tests.reports.supervision_plugin import THREE_DAY
from tests.reports.world import PASSWORD, Codes, act, at, file_case

COUNTY = 88
CODES = Codes(COUNTY)
NOVEMBER = (date(2026, 11, 1), date(2026, 11, 30))


@pytest.fixture(scope="module")
async def moved(fixture_plugin, world, time_machine, jobs):
    w, t = world, time_machine
    case_id = await file_case(w, t, "agent_a1", CODES.village_a1, THREE_DAY, at("2026-11-02"))
    await act(w, t, "clerk_a", case_id, "accept", at("2026-11-02", 11))
    await run_sweep(now=at("2026-11-10", 9))
    t.travel(at("2026-11-10", 9))
    await drain(jobs)
    before = await periodic.run(at("2026-11-10", 10))  # the night's work is done by now
    assert "moved" not in before
    a = await figures.totals(w.path(CODES.town_a), *NOVEMBER)
    assert (a.filed, a.red_now) == (1, 1)
    admin = await Staff.select(Staff.id).where(Staff.username == "admin").first()
    await move_unit(await load_principal(admin["id"]), w.unit(CODES.village_a1)["id"], CODES.town_b)
    t.travel(at("2026-11-10", 10, 10))
    done = await periodic.run(at("2026-11-10", 10, 10))  # the next tick
    again = await periodic.run(at("2026-11-10", 10, 20))
    return {"case": case_id, "done": done, "again": again}


async def test_the_figures_follow_the_village_at_the_next_tick(moved, world):
    a = await figures.totals(world.path(CODES.town_a), *NOVEMBER)
    b = await figures.totals(world.path(CODES.town_b), *NOVEMBER)
    assert (a.filed, a.accepted, a.open_now, a.red_now) == (0, 0, 0, 0)
    assert (b.filed, b.filed_proxy, b.accepted, b.open_now, b.red_now) == (1, 1, 1, 1, 1)
    path = (await Unit.select(Unit.path).where(Unit.code == CODES.village_a1).first())["path"]
    village = await figures.totals(path, *NOVEMBER)
    assert (village.filed, village.red_now) == (1, 1)
    district = await figures.totals(world.path(CODES.district), *NOVEMBER)
    assert (district.filed, district.red_now) == (1, 1)  # within the district: unchanged
    assert moved["done"].get("moved") == 1 and "moved" not in moved["again"]  # once a move


async def test_the_new_township_lists_the_overdue_case(moved, new_browser):
    sup = await new_browser()
    await sup.login(f"rpt{COUNTY}_sup_d", PASSWORD)
    town_b = await sup.get("/reports/red/", params={"unit": CODES.town_b})
    assert re.findall(r'id="red-(\d+)"', town_b.text) == [str(moved["case"])]
    town_a = await sup.get("/reports/red/", params={"unit": CODES.town_a})
    assert f'id="red-{moved["case"]}"' not in town_a.text
    page = await sup.get(
        "/reports/", params={"unit": CODES.town_b, "start": "2026-11-01", "end": "2026-11-30"}
    )
    red = re.search(r'id="kpi-red">(.*?)</dd>', page.text, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", red).strip() == "1"
