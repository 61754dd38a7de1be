"""Shared steps of the department plugins' tests: file through the public API, act, pay.

Everything goes through /api/v1 as the people involved would: the demo agent
files at 麻柳村 (under 赶水镇, 綦江区), and the demo staff of each department
take the case to its end. Only the agent's unit id is looked up directly.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric

from core.tenancy.tables import Unit
from tests.helpers import authorise

AGENT_VILLAGE = "509910101201"  # 麻柳村
VILLAGE_ADDRESS = {"unit": AGENT_VILLAGE, "detail": "3组18号"}


def id_number(born: date, serial: int = 1, *, man: bool = True, region: str = "") -> str:
    """A valid GB 11643 number: region, birth date, serial, sex, check digit.

    The region is 綦江: 500222 (綦江县) for people born before the district
    (500110) was created in 2011, whose numbers keep the old code.
    """
    region = region or ("500222" if born.year < 2011 else "500110")
    sequence = serial * 2 + (1 if man else 0)
    body = f"{region}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum skips the last character


def applicant(name: str, id_no: str, phone: str = "13800138000") -> dict:
    return {"name": name, "id_number": id_no, "phone": phone}


async def unit_id(code: str) -> int:
    return (await Unit.select(Unit.id).where(Unit.code == code).first())["id"]


async def file_case(agent, item_code: str, person: dict, data: dict) -> dict:
    """The resident authorises the agent, who files at 麻柳村 through POST /api/v1/cases."""
    await authorise(agent, person["name"], person["id_number"])
    response = await agent.api(
        "POST",
        "/api/v1/cases",
        {
            "unit_id": await unit_id(AGENT_VILLAGE),
            "item_code": item_code,
            "applicant": person,
            "data": data,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


async def file_refused(agent, item_code: str, person: dict, data: dict) -> dict[str, str]:
    """File something invalid; returns {path: message} of the errors (nothing is filed)."""
    await authorise(agent, person["name"], person["id_number"])
    response = await agent.api(
        "POST",
        "/api/v1/cases",
        {
            "unit_id": await unit_id(AGENT_VILLAGE),
            "item_code": item_code,
            "applicant": person,
            "data": data,
        },
    )
    assert response.status_code == 422, response.text
    return {e["path"]: e["message"] for e in response.json()["errors"]}


async def act(browser, case_id: int, action: str, reason: str = "", **extra) -> dict:
    response = await browser.api(
        "POST",
        f"/api/v1/cases/{case_id}/actions",
        {"action": action, "reason": reason, **extra},
    )
    assert response.status_code == 200, response.text
    return response.json()


async def case_of(browser, case_id: int) -> dict:
    response = await browser.api("GET", f"/api/v1/cases/{case_id}")
    assert response.status_code == 200, response.text
    return response.json()


async def quote(agent, item_code: str, data: dict) -> dict:
    response = await agent.api("POST", "/api/v1/fees/quote", {"item_code": item_code, "data": data})
    assert response.status_code == 200, response.text
    return response.json()


async def run(staff, case_id: int, steps: list[tuple]) -> dict:
    """Take each (username, action[, extra fields]) in turn; returns the case after the last."""
    case = {}
    for who, action, *extra in steps:
        fields = extra[0] if extra else {}
        case = await act(await staff(who), case_id, action, reason="材料齐全，符合规定", **fields)
    return case


HAND_OVER = {"method": "window"}  # a deliver action: handed over in person


def event_kinds(case: dict) -> list[str]:
    return [e["kind"] for e in case["events"]]


def uscc(kind: str = "92", division: str = "500110", body: str = "MA6QJ8K3") -> str:
    """A valid unified social credit code (GB 32100): ``92`` is an individual business."""
    from stdnum.cn import uscc as stdnum_uscc

    from plugins.bank_outlets.documents import organisation_check

    base = kind + division + body + organisation_check(body)
    return base + stdnum_uscc.calc_check_digit(base)
