"""The city admin's calendar page and API: set and remove a site's days; nobody else may."""

from __future__ import annotations

import datetime as dt

import pytest

from core.deadlines import site_calendar
from core.deadlines.tables import CalendarChange, CalendarOverride


@pytest.fixture
async def clean_calendar(site):
    await CalendarOverride.delete(force=True)
    site_calendar.invalidate()
    yield
    await CalendarOverride.delete(force=True)
    await CalendarChange.insert(CalendarChange(day=dt.date(2000, 1, 1), action="reset"))
    site_calendar.invalidate()


async def test_a_city_admin_sets_and_removes_a_day_on_the_page(new_browser, clean_calendar):
    admin = await new_browser()
    await admin.login("admin")
    page = await admin.get("/admin/calendar/", params={"year": 2027})
    assert page.status_code == 200 and "工作日历" in page.text
    # No official 2027 schedule in the library yet: the page says the year is estimated.
    assert "尚未公布" in page.text
    saved = await admin.post_form(
        "/admin/calendar/", {"day": "2027-02-06", "kind": "workday", "name": "春节前补班"}
    )
    assert saved.status_code == 200 and "春节前补班" in saved.text
    calendar = await site_calendar.site_calendar()
    assert calendar.is_working_day(dt.date(2027, 2, 6))  # a Saturday, now worked
    bad = await admin.post_form("/admin/calendar/", {"day": "6 Feb", "kind": "workday"})
    assert bad.status_code == 422 and "2027-02-06" in bad.text
    removed = await admin.post_form("/admin/calendar/", {"day": "2027-02-06", "action": "remove"})
    assert removed.status_code == 200 and "春节前补班" not in removed.text
    assert not (await site_calendar.site_calendar()).is_working_day(dt.date(2027, 2, 6))


async def test_the_api_and_who_may_use_it(new_browser, clean_calendar):
    admin = await new_browser()
    await admin.login("admin")
    put = await admin.api(
        "PUT", "/api/v1/calendar/overrides/2026-12-31", {"kind": "holiday", "name": "跨年"}
    )
    assert put.status_code == 200 and put.json()["source"] == "admin"
    listed = await admin.api("GET", "/api/v1/calendar/overrides?year=2026")
    assert {
        "day": "2026-12-31",
        "kind": "holiday",
        "name": "跨年",
        "source": "admin",
    } in listed.json()
    wrong = await admin.api("PUT", "/api/v1/calendar/overrides/2026-12-30", {"kind": "maybe"})
    assert wrong.status_code == 422
    clerk = await new_browser()
    await clerk.login("clerk")
    assert (await clerk.get("/admin/calendar/")).status_code == 403
    denied = await clerk.api("DELETE", "/api/v1/calendar/overrides/2026-12-31")
    assert denied.status_code == 403
    assert await CalendarOverride.exists().where(CalendarOverride.day == dt.date(2026, 12, 31))
    assert (await admin.api("DELETE", "/api/v1/calendar/overrides/2026-12-31")).status_code == 204
