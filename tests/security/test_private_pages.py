"""What a logged-in person is shown is kept by no cache: not a shared proxy's, not the
browser's of a village tablet that the next person picks up."""

from __future__ import annotations

from tests.ui import flows


async def test_pages_of_a_logged_in_person_are_not_stored(new_browser):
    agent = await new_browser()
    await agent.login("agent")
    resident = await flows.register(agent, "缓存测试", flows.new_id_number(), flows.new_phone())
    for url in ("/workbench/", f"/workbench/residents/{resident}", "/cases/", "/desk/"):
        page = await agent.get(url)
        assert page.status_code in (200, 403), url
        assert page.headers.get("cache-control") == "no-store", url
    api = await agent.api("GET", "/api/v1/authorisations")
    assert api.status_code == 200 and api.headers.get("cache-control") == "no-store"


async def test_a_route_s_own_cache_policy_and_public_pages_are_left_alone(new_browser):
    visitor = await new_browser()
    assert "cache-control" not in (await visitor.get("/guide/")).headers
    root = await visitor.get("/ca/crl.pem")
    assert root.headers.get("cache-control") == "public, max-age=3600"
    staff = await new_browser()
    await staff.login("clerk")
    assert (await staff.get("/ca/crl.pem")).headers.get("cache-control") == "public, max-age=3600"
