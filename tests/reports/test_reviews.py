"""Reviews (好差评): who may rate what and how often, and how a bad review is followed up
until it is rectified, explained or overturned — with the figures following along."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.cases.tables import Case, Notification
from core.reports import figures
from core.reviews import links
from core.reviews.tables import Rectification, Review, ReviewAction
from tests.helpers import drain
from tests.reports.supervision_plugin import FIVE_DAY, THREE_DAY
from tests.reports.world import PASSWORD, Codes, act, at, file_case

COUNTY = 81
CODES = Codes(COUNTY)
PERIOD = (date(2026, 9, 1), date(2026, 10, 31))


async def code_of(case_id: int) -> str:
    return (await Case.select(Case.tracking_code).where(Case.id == case_id).first())[
        "tracking_code"
    ]


@pytest.fixture(scope="module")
async def cases(fixture_plugin, world, time_machine, jobs):
    w, t = world, time_machine
    c = {}
    c["approved"] = await file_case(w, t, "agent_a1", CODES.village_a1, FIVE_DAY, at("2026-09-28"))
    await act(w, t, "clerk_a", c["approved"], "accept", at("2026-09-29"))
    await act(w, t, "approver", c["approved"], "approve", at("2026-10-09"))
    c["denied"] = await file_case(w, t, "clerk_a", CODES.window_a, THREE_DAY, at("2026-09-30"))
    await act(w, t, "clerk_a", c["denied"], "accept", at("2026-09-30", 11))
    await act(w, t, "approver", c["denied"], "deny", at("2026-10-12"), reason="不符合条件")
    c["waiting"] = await file_case(w, t, "agent_a1", CODES.village_a1, THREE_DAY, at("2026-10-08"))
    t.travel(at("2026-10-13", 9))
    await drain(jobs)
    return c


async def login(new_browser, role: str):
    browser = await new_browser()
    await browser.login(f"rpt{COUNTY}_{role}", PASSWORD)
    return browser


async def test_the_applicant_is_asked_for_a_rating_with_a_link_that_works(cases, browser):
    asked = await Notification.select().where(
        (Notification.case == cases["denied"]) & (Notification.audience == "applicant")
    )
    links_sent = [re.search(r"/reviews/r/[0-9A-Za-z._-]+", n["body"]) for n in asked]
    links_sent = [m.group(0) for m in links_sent if m]
    assert len(links_sent) == 1  # once, after the denial; none while it was being handled
    page = await browser.get(links_sent[0])
    assert page.status_code == 200 and 'name="overall"' in page.text
    waiting = await Notification.select().where(
        (Notification.case == cases["waiting"]) & Notification.body.like("%/reviews/r/%")
    )
    assert waiting == []


async def test_rating_needs_the_code_and_the_second_factor(cases, browser):
    code = await code_of(cases["approved"])
    wrong = await browser.get("/reviews/rate", params={"code": code, "last4": "1234"})
    assert wrong.status_code == 404 and 'name="overall"' not in wrong.text
    posted = await browser.post_form(
        "/reviews/rate", {"code": code, "last4": "1234", "overall": "1"}
    )
    assert posted.status_code == 404
    garbled = await browser.get("/reviews/rate", params={"code": code[:-1] + "Z", "last4": "8000"})
    assert garbled.status_code == 400
    assert not await Review.exists().where(Review.case == cases["approved"])


async def test_a_case_still_being_handled_cannot_be_rated(cases, browser):
    code = await code_of(cases["waiting"])
    page = await browser.get("/reviews/rate", params={"code": code, "last4": "8000"})
    assert page.status_code == 200 and 'name="overall"' not in page.text
    assert "尚在办理" in page.text or "still being handled" in page.text
    posted = await browser.post_form(
        "/reviews/rate", {"code": code, "last4": "8000", "overall": "5"}
    )
    assert posted.status_code == 409
    assert not await Review.exists().where(Review.case == cases["waiting"])


async def test_the_status_page_offers_the_rating_once_there_is_an_answer(cases, browser):
    done = await browser.get(
        "/status/", params={"code": await code_of(cases["approved"]), "last4": "8000"}
    )
    assert "/reviews/rate?code=" in done.text
    busy = await browser.get(
        "/status/", params={"code": await code_of(cases["waiting"]), "last4": "8000"}
    )
    assert "/reviews/rate?code=" not in busy.text


async def test_a_rating_without_a_level_is_marked_and_nothing_is_saved(cases, browser):
    code = await code_of(cases["approved"])
    bad = await browser.post_form(
        "/reviews/rate",
        [("code", code), ("last4", "8000"), ("efficiency", "9"), ("reasons", "bribes")],
    )
    assert bad.status_code == 422
    assert bad.text.count('class="error"') == 3  # overall missing, efficiency out of range, reason
    assert not await Review.exists().where(Review.case == cases["approved"])


async def test_one_online_review_per_case(cases, browser):
    code = await code_of(cases["approved"])
    first = await browser.post_form(
        "/reviews/rate", {"code": code, "last4": "8000", "overall": "4"}
    )
    assert first.status_code == 200 and 'id="rated"' in first.text
    again = await browser.post_form(
        f"/reviews/r/{links.token_for(cases['approved'])}", {"overall": "1"}
    )
    assert again.status_code == 409
    page = await browser.get("/reviews/rate", params={"code": code, "last4": "8000"})
    assert 'name="overall"' not in page.text and 'id="rated"' in page.text
    assert await Review.count().where(Review.case == cases["approved"]) == 1


async def test_a_forged_or_expired_link_is_refused(cases, browser):
    token = links.token_for(cases["denied"])
    case_id, expires, mac = token.split(".")
    forged = f"{cases['approved']}.{expires}.{mac}"  # another case, same signature
    assert (await browser.get(f"/reviews/r/{forged}")).status_code == 404
    assert (await browser.get("/reviews/r/not-a-token")).status_code == 404
    old = links.token_for(cases["denied"], now=at("2026-01-01"))
    assert (await browser.post_form(f"/reviews/r/{old}", {"overall": "1"})).status_code == 404
    assert not await Review.exists().where(Review.case == cases["denied"])


async def test_one_review_per_visit_on_the_tablet_of_the_unit_visited(cases, new_browser):
    agent = await login(new_browser, "agent_a1")
    case_page = await agent.get(f"/cases/{cases['approved']}")
    assert f'href="/reviews/visit/{cases["approved"]}"' in case_page.text
    page = await agent.get(f"/reviews/visit/{cases['approved']}")
    visits = [int(v) for v in re.findall(r'name="visit" value="(\d+)"', page.text)]
    assert len(visits) == 1  # the filing at the village; acceptance and decision were elsewhere
    rated = await agent.post_form(
        f"/reviews/visit/{cases['approved']}",
        {"visit": str(visits[0]), "overall": "1", "attitude": "1"},
    )
    assert rated.status_code == 200 and 'id="rated"' in rated.text
    again = await agent.post_form(
        f"/reviews/visit/{cases['approved']}", {"visit": str(visits[0]), "overall": "5"}
    )
    assert again.status_code == 409
    clerk = await login(new_browser, "clerk_b")  # another township's window
    assert (await clerk.get(f"/reviews/visit/{cases['approved']}")).status_code == 404
    review = (
        await Review.select().where(Review.key == f"site:{cases['approved']}:{visits[0]}").first()
    )
    assert (
        review["unit"]
        == (await Case.select(Case.filed_unit).where(Case.id == cases["approved"]).first())[
            "filed_unit"
        ]
    )


async def test_a_bad_review_is_called_back_then_rectified(cases, new_browser, browser):
    token = links.token_for(cases["denied"])
    rated = await browser.post_form(f"/reviews/r/{token}", [("overall", "1"), ("reasons", "slow")])
    assert rated.status_code == 200
    rect = (
        await Rectification.select()
        .where(
            Rectification.review
            == (
                await Review.select(Review.id)
                .where(Review.key == f"online:{cases['denied']}")
                .first()
            )["id"]
        )
        .first()
    )
    office = await Case.select(Case.accepting_unit).where(Case.id == cases["denied"]).first()
    assert rect["state"] == "open"
    assert rect["due_on"] == date(2026, 10, 20)  # 5 working days after 13 Oct
    assert rect["unit"] != office["accepting_unit"]  # the office that denied it, not the window

    approver = await login(new_browser, "approver")
    desk = await approver.get("/reviews/rectifications/")
    assert f"/reviews/rectifications/{rect['id']}" in desk.text
    early = await approver.post_form(
        f"/reviews/rectifications/{rect['id']}/resolve", {"outcome": "rectified", "text": "已整改"}
    )
    assert early.status_code == 422  # call the applicant back first
    await approver.post_form(
        f"/reviews/rectifications/{rect['id']}/callback",
        {"reached": "yes", "satisfied": "yes", "summary": "已电话说明不予批准的依据"},
    )
    closed = await approver.post_form(
        f"/reviews/rectifications/{rect['id']}/resolve",
        {"outcome": "explained", "text": "依据政策说明，申请人表示理解"},
    )
    assert closed.status_code == 200 and 'id="done"' in closed.text
    row = await Rectification.select().where(Rectification.id == rect["id"]).first()
    assert row["state"] == "explained" and row["closed_at"] is not None
    actions = [
        a["action"]
        for a in await ReviewAction.select()
        .where(ReviewAction.rectification == rect["id"])
        .order_by(ReviewAction.id)
    ]
    assert actions == ["opened", "callback", "explained"]
    outsider = await login(new_browser, "clerk_b")
    assert (await outsider.get(f"/reviews/rectifications/{rect['id']}")).status_code == 404


async def test_an_appeal_is_decided_above_the_unit_and_an_overturned_review_stops_counting(
    cases, new_browser, world
):
    review = (
        await Review.select()
        .where((Review.case == cases["approved"]) & (Review.kind == "site"))
        .first()
    )
    rect = await Rectification.select().where(Rectification.review == review["id"]).first()
    before = await figures.totals(world.path(CODES.district), *PERIOD)

    agent = await login(new_browser, "agent_a1")
    appealed = await agent.post_form(
        f"/reviews/rectifications/{rect['id']}/appeal",
        {"reason": "当天系统故障，非工作人员态度问题"},
    )
    assert appealed.status_code == 200
    assert (
        await agent.post_form(
            f"/reviews/rectifications/{rect['id']}/decide",
            {"decision": "overturn", "note": "自己说了算"},
        )
    ).status_code == 403  # the unit never decides its own appeal

    supervisor = await login(new_browser, "sup_a")
    await supervisor.post_form(
        f"/reviews/rectifications/{rect['id']}/decide", {"decision": "reject", "note": "证据不足"}
    )
    assert (await Rectification.select().where(Rectification.id == rect["id"]).first())[
        "state"
    ] == "open"
    await agent.post_form(
        f"/reviews/rectifications/{rect['id']}/appeal", {"reason": "补充系统故障记录"}
    )
    granted = await supervisor.post_form(
        f"/reviews/rectifications/{rect['id']}/decide",
        {"decision": "overturn", "note": "系统故障属实"},
    )
    assert granted.status_code == 200
    row = await Rectification.select().where(Rectification.id == rect["id"]).first()
    assert row["state"] == "overturned"
    assert (await Review.select(Review.overturned).where(Review.id == review["id"]).first())[
        "overturned"
    ]
    after = await figures.totals(world.path(CODES.district), *PERIOD)
    assert after.reviews == before.reviews - 1 and after.reviews_bad == before.reviews_bad - 1
    assert after.attitude_n == before.attitude_n - 1


async def test_the_figures_hold_the_reviews_left(cases, world):
    f = await figures.totals(world.path(CODES.district), *PERIOD)
    # approved: online 4 (good); denied: online 1 (bad, explained); the tablet 1 overturned.
    assert (f.reviews, f.reviews_good, f.reviews_bad, f.score_sum) == (2, 1, 1, 5)
    assert f.satisfaction == 0.5
    last_week = await figures.totals(
        world.path(CODES.district), date(2026, 10, 14), date(2026, 10, 20)
    )
    assert last_week.reviews == 0  # both were given on 13 Oct


async def test_the_site_sets_the_time_limit_and_a_bad_visit_is_rectified(
    cases, new_browser, monkeypatch, world
):
    """The window's tablet: a dissatisfied rating of the filing visit, with the site's limit
    set to 3 working days, is called back and closed as rectified — and stays counted."""
    from core.settings import get_settings

    monkeypatch.setitem(get_settings().site, "reviews", {"rectify_days": 3})
    before = await figures.totals(world.path(CODES.district), *PERIOD)
    clerk = await login(new_browser, "clerk_a")
    page = await clerk.get(f"/reviews/visit/{cases['denied']}")
    visits = [int(v) for v in re.findall(r'name="visit" value="(\d+)"', page.text)]
    assert visits, page.text  # filed at this window
    rated = await clerk.post_form(
        f"/reviews/visit/{cases['denied']}",
        {"visit": str(visits[0]), "overall": "2", "convenience": "2", "reasons": "many_trips"},
    )
    assert rated.status_code == 200 and 'id="rated"' in rated.text
    review = (
        await Review.select().where(Review.key == f"site:{cases['denied']}:{visits[0]}").first()
    )
    rect = await Rectification.select().where(Rectification.review == review["id"]).first()
    assert rect["unit"] == world.unit(CODES.window_a)["id"]
    assert rect["due_on"] == date(2026, 10, 16)  # 3 working days after 13 Oct, not 5

    desk = await clerk.get(f"/reviews/rectifications/{rect['id']}")
    assert desk.status_code == 200 and "不满意" in desk.text
    no_text = await clerk.post_form(
        f"/reviews/rectifications/{rect['id']}/resolve", {"outcome": "rectified", "text": " "}
    )
    assert no_text.status_code == 422
    await clerk.post_form(
        f"/reviews/rectifications/{rect['id']}/callback",
        {"reached": "yes", "satisfied": "yes", "summary": "已回访，告知可在村代办点递交"},
    )
    done = await clerk.post_form(
        f"/reviews/rectifications/{rect['id']}/resolve",
        {"outcome": "rectified", "text": "已在窗口张贴村代办点办理指引"},
    )
    assert done.status_code == 200 and 'id="done"' in done.text
    row = await Rectification.select().where(Rectification.id == rect["id"]).first()
    assert row["state"] == "rectified" and row["resolution"] == "已在窗口张贴村代办点办理指引"
    # Rectified, the review still counts (only an appeal granted voids it).
    after = await figures.totals(world.path(CODES.district), *PERIOD)
    assert (after.reviews, after.reviews_bad) == (before.reviews + 1, before.reviews_bad + 1)
    # Every bad review of the district has ended: rectified, explained or overturned.
    ends = {
        r["state"]
        for r in await Rectification.select(Rectification.state).where(
            Rectification.scope_path.like(world.path(CODES.district) + "%")
        )
    }
    assert ends == {"rectified", "explained", "overturned"}
