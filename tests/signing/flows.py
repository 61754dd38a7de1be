"""Case flows the signing tests drive: file by proxy (with consent), accept, decide, drain jobs."""

from __future__ import annotations

import itertools

from stdnum.cn import ric

from core.cases import services
from core.signing.tables import Document
from core.tenancy.auth import load_principal
from core.tenancy.scope import Principal
from core.tenancy.tables import Staff, Unit
from tests.helpers import authorise, drain

AGENT_UNIT = "509910101201"  # 麻柳村 agency point
_serial = itertools.count(101)


def new_id_number(birth: str = "19800101") -> str:
    """A fresh, valid resident ID number (GB 11643 check digit) for each call."""
    body = f"500222{birth}{next(_serial) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


async def principal(username: str) -> Principal:
    staff = await Staff.select(Staff.id).where(Staff.username == username).first()
    loaded = await load_principal(staff["id"])
    assert loaded is not None
    return loaded


async def unit_id(code: str) -> int:
    return (await Unit.select(Unit.id).where(Unit.code == code).first())["id"]


async def file_case(agent_browser, item_code: str, name: str, id_number: str, data: dict) -> dict:
    """The agent records the resident's consent, then files the case for them."""
    await authorise(agent_browser, name, id_number)
    return await services.submit(
        await principal("agent"),
        unit_id=await unit_id(AGENT_UNIT),
        item_code=item_code,
        applicant={"name": name, "id_number": id_number, "phone": "13800138000"},
        data=data,
    )


async def act(username: str, case_id: int, action: str, **params) -> dict:
    return await services.act(await principal(username), case_id, action, **params)


async def documents_of(case_id: int) -> dict[str, dict]:
    """The case's documents by kind (one per kind in these flows)."""
    rows = await Document.select().where(Document.case == case_id).output(load_json=True)
    return {r["kind"]: r for r in rows}


async def settle(jobs) -> None:
    await drain(jobs)


__all__ = [
    "act",
    "documents_of",
    "file_case",
    "new_id_number",
    "principal",
    "settle",
    "unit_id",
]
