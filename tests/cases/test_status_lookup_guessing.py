"""Guessing the second factor of a case: the last 4 digits of the applicant's ID or phone
number match 2 guesses in 10,000, and tracking codes follow each other. Wrong digits are
counted per code and per address; past the limit the public pages, the API and the
rating page refuse in the reader's language and show nothing of the case."""

from __future__ import annotations

import asyncio
import html

import httpx

from core.cases import lookups
from core.reviews.tables import Review
from tests.cases.world import SIMPLE

CODE_LIMIT, _ = lookups.PER_CODE
ADDRESS_LIMIT, _ = lookups.PER_ADDRESS


def wrong(person: dict) -> list[str]:
    """Digits matching neither the applicant's ID nor phone number."""
    right = {person["id_number"][-4:], person["phone"][-4:]}
    return [f"{n:04d}" for n in range(1000, 10000) if f"{n:04d}" not in right]


def alert(page: httpx.Response) -> str:
    return html.unescape(page.text.split('class="alert" role="alert">', 1)[1].split("</p>", 1)[0])


async def test_a_code_guessed_too_often_answers_no_one_until_tomorrow(world, browser_at):
    person = world.next_applicant()
    case = await world.file(SIMPLE, applicant=person)
    code, last4 = case["tracking_code"], person["id_number"][-4:]
    guesses = iter(wrong(person))
    for _ in range(CODE_LIMIT):  # each from an address of its own: only the code's count
        guesser = await browser_at()
        page = await guesser.get("/status/", params={"code": code, "last4": next(guesses)})
        assert page.status_code == 200, page.text[:2000]
        assert "没有与该办件编码和后4位相符的办件" in alert(page)

    owner = await browser_at()
    page = await owner.get("/status/", params={"code": code, "last4": last4})
    assert "今天已多次输错后四位" in alert(page) and "代办员" in alert(page)
    assert 'class="facts"' not in page.text  # nothing of the case is shown
    owner.client.cookies.set("lang", "en")
    api = await owner.get(f"/api/v1/status/{code}", params={"last4": last4})
    assert api.status_code == 429
    assert api.json()["code"] == "code_lookups_blocked"
    assert "until tomorrow" in api.json()["message"]
    before = await Review.count()
    rating = await owner.post_form(
        "/reviews/rate", {"code": code, "last4": last4, "score": "5", "comment": "好"}
    )
    assert rating.status_code == 429 and "until tomorrow" in html.unescape(rating.text)
    assert await Review.count() == before

    # Another case is not affected.
    other_person = world.next_applicant()
    other = await world.file(SIMPLE, applicant=other_person)
    page = await owner.get(
        "/status/",
        params={"code": other["tracking_code"], "last4": other_person["id_number"][-4:]},
    )
    assert other["tracking_code"] in page.text and 'role="alert"' not in page.text


async def test_right_answers_are_never_counted(world, browser_at):
    person = world.next_applicant()
    case = await world.file(SIMPLE, applicant=person)
    resident = await browser_at()
    for _ in range(CODE_LIMIT + 5):
        page = await resident.get(
            "/status/", params={"code": case["tracking_code"], "last4": person["phone"][-4:]}
        )
        assert case["tracking_code"] in page.text and 'role="alert"' not in page.text


async def test_one_address_cannot_walk_through_many_codes(world, browser_at):
    people = [world.next_applicant() for _ in range(4)]
    cases = [await world.file(SIMPLE, applicant=p) for p in people]
    case_people = {c["id"]: p for c, p in zip(cases, people, strict=True)}
    walker = await browser_at()
    for n in range(ADDRESS_LIMIT):  # spread over the codes: no code reaches its own limit
        case = cases[n % len(cases)]
        api = await walker.get(
            f"/api/v1/status/{case['tracking_code']}",
            params={"last4": wrong(case_people[case["id"]])[0]},
        )
        assert api.status_code == 404, api.text
    api = await walker.get(
        f"/api/v1/status/{cases[0]['tracking_code']}", params={"last4": people[0]["phone"][-4:]}
    )
    assert api.status_code == 429 and api.json()["code"] == "address_lookups_blocked"
    assert "15 分钟" in api.json()["message"]
    neighbour = await browser_at()
    api = await neighbour.get(
        f"/api/v1/status/{cases[0]['tracking_code']}", params={"last4": people[0]["phone"][-4:]}
    )
    assert api.status_code == 200 and api.json()["tracking_code"] == cases[0]["tracking_code"]


async def test_guesses_sent_at_once_get_no_more_tries(world, browser_at):
    person = world.next_applicant()
    case = await world.file(SIMPLE, applicant=person)
    code, last4 = case["tracking_code"], person["id_number"][-4:]
    guessers = [await browser_at() for _ in range(40)]
    answers = await asyncio.gather(
        *(
            g.get(f"/api/v1/status/{code}", params={"last4": digits})
            for g, digits in zip(guessers, wrong(person), strict=False)
        )
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [404] * CODE_LIMIT + [429] * (40 - CODE_LIMIT), statuses
    owner = await browser_at()
    api = await owner.get(f"/api/v1/status/{code}", params={"last4": last4})
    assert api.status_code == 429
