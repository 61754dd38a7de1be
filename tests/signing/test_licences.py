"""The e-licence library: a licence issued by one department's case is accepted as a
material of another department's item, verified, without asking for paper."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from core.cases.tables import CaseEvent
from core.licences.tables import Licence, LicenceUse
from core.residents.tables import Resident
from core.signing.tables import Document

from .flows import act, file_case, new_id_number, settle
from .licence_plugins import LICENCE_TYPE, PERMIT_ITEM, TRADE_ITEM


@pytest.fixture(scope="module")
async def holder(app, jobs, licence_items, open_browser) -> dict:
    """赵家: holds a permit issued by the permit office; then applies at the trade office."""
    agent = await open_browser("agent")
    id_number = new_id_number()
    permit = await file_case(agent, PERMIT_ITEM, "赵家", id_number, {"shop_name": "赵家面馆"})
    await act("clerk", permit["id"], "accept")
    await act("clerk", permit["id"], "approve")
    await settle(jobs)
    trade = await file_case(agent, TRADE_ITEM, "赵家", id_number, {"shop_name": "赵家面馆"})
    stranger = await file_case(agent, TRADE_ITEM, "钱家", new_id_number(), {"shop_name": "钱"})
    return {"id_number": id_number, "permit": permit, "trade": trade, "stranger": stranger}


async def _licence(case_id: int) -> dict:
    return await Licence.select().where(Licence.case == case_id).first()


async def test_issued_licence_is_indexed_by_the_holders_keyed_hash(holder) -> None:
    licence = await _licence(holder["permit"]["id"])
    assert licence is not None and licence["licence_type"] == LICENCE_TYPE
    resident = await Resident.select().where(Resident.id_number_hash == licence["holder_hash"])
    assert len(resident) == 1 and resident[0]["name"] == "赵家"
    assert holder["id_number"] not in str(licence)  # never the ID number in clear
    assert licence["licence_number"] == f"CSXK-{holder['permit']['tracking_code']}"
    issued_on = licence["issued_at"].astimezone(ZoneInfo("Asia/Shanghai")).date()
    assert licence["valid_until"] == issued_on.replace(year=issued_on.year + 3)  # "3 年"


async def test_agent_sees_the_holders_licence_for_the_material(holder, open_browser) -> None:
    agent = await open_browser("agent")
    options = await agent.api("GET", f"/api/v1/cases/{holder['trade']['id']}/licences")
    assert options.status_code == 200, options.text
    (permit_slot,) = options.json()
    assert permit_slot["material_code"] == "permit"
    assert [c["licence_number"] for c in permit_slot["candidates"]] == [
        f"CSXK-{holder['permit']['tracking_code']}"
    ]
    assert permit_slot["attached"] is None
    by_id = await agent.api("GET", f"/api/v1/licences?id_number={holder['id_number']}")
    assert [row["title"] for row in by_id.json()] == ["测试经营许可证"]


async def test_attaching_verifies_and_records_it_in_the_case_chain(holder, open_browser) -> None:
    agent = await open_browser("agent")
    licence = await _licence(holder["permit"]["id"])
    url = f"/api/v1/cases/{holder['trade']['id']}/materials/permit/licence"
    response = await agent.api("POST", url, json={"licence_id": licence["id"]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "valid" and body["signer"] == "赶水镇便民服务中心"
    use = await LicenceUse.select().where(LicenceUse.case == holder["trade"]["id"]).first()
    assert use["licence"] == licence["id"] and use["verified_status"] == "valid"
    event = (
        await CaseEvent.select()
        .where((CaseEvent.case == holder["trade"]["id"]) & (CaseEvent.kind == "licence_attached"))
        .output(load_json=True)
        .first()
    )
    assert event["payload"]["licence_number"] == licence["licence_number"]
    options = await agent.api("GET", f"/api/v1/cases/{holder['trade']['id']}/licences")
    assert options.json()[0]["attached"]["licence_id"] == licence["id"]


async def test_another_persons_licence_is_not_accepted(holder, open_browser) -> None:
    agent = await open_browser("agent")
    licence = await _licence(holder["permit"]["id"])
    url = f"/api/v1/cases/{holder['stranger']['id']}/materials/permit/licence"
    response = await agent.api("POST", url, json={"licence_id": licence["id"]})
    assert response.status_code == 404
    assert not await LicenceUse.exists().where(LicenceUse.case == holder["stranger"]["id"])


async def test_a_material_that_takes_no_licence_refuses_one(holder, open_browser) -> None:
    agent = await open_browser("agent")
    licence = await _licence(holder["permit"]["id"])
    url = f"/api/v1/cases/{holder['trade']['id']}/materials/photo/licence"
    response = await agent.api("POST", url, json={"licence_id": licence["id"]})
    assert response.status_code == 422
    assert "不能以电子证照代替" in response.json()["message"]


async def test_an_altered_licence_is_refused(holder, open_browser) -> None:
    agent = await open_browser("agent")
    licence = await _licence(holder["permit"]["id"])
    document = await Document.select().where(Document.id == licence["document"]).first()
    original = bytes(document["pdf"])
    tampered = bytearray(original)
    tampered[len(tampered) // 2] ^= 0x01
    await Document.update({Document.pdf: bytes(tampered)}).where(Document.id == document["id"])
    try:
        url = f"/api/v1/cases/{holder['trade']['id']}/materials/permit/licence"
        response = await agent.api("POST", url, json={"licence_id": licence["id"]})
        assert response.status_code == 422
        assert "被改动" in response.json()["message"]
    finally:
        await Document.update({Document.pdf: original}).where(Document.id == document["id"])


async def test_a_clerk_of_another_township_cannot_see_the_case(holder, open_browser) -> None:
    outsider = await open_browser("clerk2")
    response = await outsider.api("GET", f"/api/v1/cases/{holder['trade']['id']}/licences")
    assert response.status_code == 404
