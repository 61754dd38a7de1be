"""Proxy filing needs the resident's authorisation; it is bound to exactly one case."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from core.cases import services
from core.cases.tables import Case, CaseEvent
from core.errors import ValidationFailed
from core.signing.authorisations import AuthorisationRequired
from core.signing.tables import Authorisation
from tests.helpers import authorise, signature_png

from .flows import AGENT_UNIT, new_id_number, principal, unit_id
from .licence_plugins import PERMIT_ITEM

pytestmark = pytest.mark.usefixtures("licence_items")


async def _submit(id_number: str, name: str = "吴十", **extra) -> dict:
    return await services.submit(
        await principal("agent"),
        unit_id=await unit_id(AGENT_UNIT),
        item_code=PERMIT_ITEM,
        applicant={"name": name, "id_number": id_number, "phone": "13800138000"},
        data={"shop_name": "吴记"},
        **extra,
    )


async def _cases_of_agent() -> int:
    staff = await principal("agent")
    return await Case.count().where(Case.filed_by == staff.staff_id)


async def test_proxy_filing_without_authorisation_is_refused_and_nothing_is_written(app) -> None:
    before = await _cases_of_agent()
    with pytest.raises(AuthorisationRequired) as refused:
        await _submit(new_id_number())
    assert isinstance(refused.value, ValidationFailed)  # the form shows it under the name
    assert refused.value.errors[0].path == "applicant.name"
    assert await _cases_of_agent() == before


async def test_authorisation_is_bound_to_the_case_and_recorded_in_its_chain(
    app, open_browser
) -> None:
    agent = await open_browser("agent")
    id_number = new_id_number()
    consent_id = await authorise(agent, "吴十", id_number)
    case = await _submit(id_number)
    bound = await Authorisation.select().where(Authorisation.id == consent_id).first()
    assert bound["case"] == case["id"] and bound["bound_at"] is not None
    submit_event = (
        await CaseEvent.select()
        .where((CaseEvent.case == case["id"]) & (CaseEvent.seq == 1))
        .output(load_json=True)
        .first()
    )
    assert submit_event["payload"]["authorisation"] == {
        "id": consent_id,
        "sha256": bound["image_sha256"],
    }
    # Used once: the next filing for the same resident needs a new authorisation.
    with pytest.raises(AuthorisationRequired):
        await _submit(id_number)
    # Staff who may see the case see the signature; an unrelated clerk does not.
    clerk, clerk2 = await open_browser("clerk"), await open_browser("clerk2")
    shown = await clerk.get(f"/authorisations/{consent_id}/evidence")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/png"
    assert (await clerk2.get(f"/authorisations/{consent_id}/evidence")).status_code == 404


async def test_another_residents_or_agents_authorisation_does_not_count(app, open_browser) -> None:
    agent = await open_browser("agent")
    await authorise(agent, "郑一", new_id_number())  # someone else's consent
    with pytest.raises(AuthorisationRequired):
        await _submit(new_id_number(), name="王二")


async def test_named_authorisation_must_fit(app, open_browser) -> None:
    agent = await open_browser("agent")
    mine, other = new_id_number(), new_id_number()
    other_consent = await authorise(agent, "冯三", other)
    await authorise(agent, "陈四", mine)
    with pytest.raises(AuthorisationRequired):
        await _submit(mine, name="陈四", authorisation_id=other_consent)


@pytest.mark.parametrize(
    ("evidence", "method", "message"),
    [
        (lambda: _blank_png(), "tablet", "签名为空"),
        (lambda: b"not an image", "tablet", "无法读取"),
        (lambda: b"%PDF-1.4 broken", "paper", "无法读取"),
    ],
)
async def test_bad_evidence_is_refused_with_a_message(
    app, open_browser, evidence, method, message
) -> None:
    agent = await open_browser("agent")
    before = await Authorisation.count()
    response = await agent.api(
        "POST",
        "/api/v1/authorisations",
        json={
            "name": "褚五",
            "id_number": new_id_number(),
            "method": method,
            "image_base64": base64.b64encode(evidence()).decode(),
        },
    )
    assert response.status_code == 422
    assert message in response.json()["message"]
    assert await Authorisation.count() == before


async def test_only_agents_record_authorisations(app, open_browser) -> None:
    clerk = await open_browser("clerk")
    response = await clerk.api(
        "POST",
        "/api/v1/authorisations",
        json={
            "name": "卫六",
            "id_number": new_id_number(),
            "method": "tablet",
            "image_base64": base64.b64encode(signature_png()).decode(),
        },
    )
    assert response.status_code == 403


def _blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (400, 150), (0, 0, 0, 0)).save(out, format="PNG")
    return out.getvalue()
