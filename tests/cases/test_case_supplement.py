"""The one-time supplement notice (一次性告知) and the clock standing still meanwhile."""

from __future__ import annotations

import pytest

from core.cases.errors import (
    MaterialsRequired,
    MaterialsStillMissing,
    NotRequested,
    SupplementRepeated,
    UnknownMaterial,
    error_text,
)
from core.cases.tables import Case, CaseEvent, CasePause, Task
from core.errors import PermissionDenied
from tests.cases.world import SIMPLE, local


async def supplement_events(case_id: int) -> list[dict]:
    return await (
        CaseEvent.select()
        .where((CaseEvent.case == case_id) & (CaseEvent.kind == "request_supplement"))
        .order_by(CaseEvent.seq)
        .output(load_json=True)
    )


async def test_every_missing_material_is_listed_at_once_with_a_generated_notice(world):
    case = await world.file(SIMPLE)
    await world.act(
        "t_clerk",
        case["id"],
        "request_supplement",
        materials=[
            {"code": "id_card", "problem": "missing"},
            {"code": "application", "problem": "defective", "note": "未签名"},
        ],
        reason="请一次性补齐",
    )
    (event,) = await supplement_events(case["id"])
    materials = event["payload"]["materials"]
    assert [(m["code"], m["name"], m["problem"], m["note"]) for m in materials] == [
        ("id_card", "居民身份证", "missing", ""),
        ("application", "申请表", "defective", "未签名"),
    ]
    notice = event["payload"]["notice"]
    assert case["tracking_code"] in notice
    assert "1. 居民身份证 — 缺少" in notice
    assert "2. 申请表 — 不符合要求: 未签名" in notice
    assert "请一次性补齐" in notice
    assert "补正期间不计入办理时限" in notice or "时限" in notice


async def test_the_request_must_name_known_materials(world):
    case = await world.file(SIMPLE)
    with pytest.raises(MaterialsRequired):
        await world.act("t_clerk", case["id"], "request_supplement", materials=[])
    with pytest.raises(UnknownMaterial):
        await world.act("t_clerk", case["id"], "request_supplement", materials=["passport"])
    assert await supplement_events(case["id"]) == []


async def test_asking_again_for_the_same_material_needs_a_justification(world):
    case = await world.file(SIMPLE)
    cid = case["id"]
    await world.act("t_clerk", cid, "request_supplement", materials=["id_card", "photo"])
    await world.act("t_agent", cid, "supply")
    await world.act("t_clerk", cid, "accept")
    with pytest.raises(SupplementRepeated) as refused:
        await world.act("t_rev_a", cid, "request_supplement", materials=["photo", "application"])
    assert error_text(refused.value, "zh_CN").startswith("照片已")
    assert error_text(refused.value, "en").startswith("Already requested once: Photo.")
    assert (await Case.select(Case.state).where(Case.id == cid).first())["state"] == "in_review"
    # A new material alone is fine; the repeated one with a justification too.
    await world.act(
        "t_rev_a",
        cid,
        "request_supplement",
        materials=["photo", "application"],
        justification="所交照片模糊，无法辨认",
    )
    second = (await supplement_events(cid))[-1]
    assert second["payload"]["repeated"] == ["photo"]
    assert second["payload"]["justification"] == "所交照片模糊，无法辨认"


async def test_supply_must_bring_everything_requested(world):
    case = await world.file(SIMPLE)
    cid = case["id"]
    await world.act(
        "t_clerk", cid, "request_supplement", materials=["id_card", "application", "photo"]
    )
    with pytest.raises(MaterialsStillMissing) as still:
        await world.act("t_agent", cid, "supply", materials=["photo"])
    # Each reader sees the names in their language, listed as that language lists them.
    assert "居民身份证和申请表" in error_text(still.value, "zh_CN")
    assert "Still missing: ID card and Application form." in error_text(still.value, "en")
    with pytest.raises(NotRequested) as extra:
        await world.act(
            "t_agent", cid, "supply", materials=["id_card", "application", "photo", "x", "y"]
        )
    assert error_text(extra.value, "en") == "Not requested in the supplement notice: x and y."
    assert "x和y" in error_text(extra.value, "zh_CN")
    with pytest.raises(PermissionDenied):  # a department cannot speak for the applicant
        await world.act("t_sup", cid, "supply")
    row = await world.act("t_agent", cid, "supply", materials=["application", "id_card", "photo"])
    assert row["state"] == "submitted"


async def test_the_clock_stops_during_a_supplement_and_resumes_after(world, clock):
    # Accepted Monday 2 Nov 2026: 5 working days, due Monday 9 Nov.
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    cid = case["id"]
    await world.act("t_clerk", cid, "accept")
    row = await Case.select().where(Case.id == cid).first()
    assert row["due_on"].isoformat() == "2026-11-09"
    assert row["light"] == "green" and row["light_changes_at"] is not None
    # Tuesday: the reviewer asks for a material; the clock stops.
    clock.set(local(2026, 11, 3, 15))
    await world.act("t_rev_a", cid, "request_supplement", materials=["photo"])
    row = await Case.select().where(Case.id == cid).first()
    assert row["state"] == "review_supplement" and row["light_changes_at"] is None
    assert (
        await Task.exists().where(
            (Task.case == cid) & (Task.state == "open") & Task.light_changes_at.is_not_null()
        )
        is False
    )
    # The materials arrive the next Tuesday: Wed 4 … Tue 10 Nov (5 working days) did not count.
    clock.set(local(2026, 11, 10, 11))
    await world.act("t_agent", cid, "supply")
    row = await Case.select().where(Case.id == cid).first()
    assert row["state"] == "in_review"
    assert row["due_on"].isoformat() == "2026-11-16"  # one day used, four left: Wed 11 … Mon 16
    assert row["light_changes_at"] is not None
    pause = await CasePause.select().where(CasePause.case == cid).first()
    assert pause["kind"] == "supplement" and pause["ended_at"] is not None


async def test_a_supplement_before_acceptance_does_not_start_the_clock(world, clock):
    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    await world.act("t_clerk", case["id"], "request_supplement", materials=["photo"])
    clock.set(local(2026, 11, 5, 9))
    await world.act("t_agent", case["id"], "supply")
    await world.act("t_clerk", case["id"], "accept")
    row = await Case.select().where(Case.id == case["id"]).first()
    # Counted from the acceptance (Thu 5 Nov): Fri 6, Mon 9 … Thu 12 Nov.
    assert row["due_on"].isoformat() == "2026-11-12"


async def test_a_suspension_stops_the_clock_for_a_legal_procedure_only(world, clock):
    from core.cases.errors import ProcedureNotAllowed

    clock.set(local(2026, 11, 2, 9))
    case = await world.file(SIMPLE)
    cid = case["id"]
    await world.act("t_clerk", cid, "accept")
    with pytest.raises(ProcedureNotAllowed):
        await world.act("t_rev_a", cid, "suspend", procedure="lunch", reason="x")
    clock.set(local(2026, 11, 3, 9))
    await world.act("t_rev_a", cid, "suspend", procedure="expert_review", reason="组织专家评审")
    clock.set(local(2026, 11, 6, 9))
    await world.act("t_rev_a", cid, "resume")
    row = await Case.select().where(Case.id == cid).first()
    # Wed 4 – Fri 6 Nov did not count: one day used (Tue 3), due Thu 12 Nov.
    assert row["due_on"].isoformat() == "2026-11-12"
    pause = await CasePause.select().where(CasePause.case == cid).first()
    assert (pause["kind"], pause["procedure"]) == ("suspended", "expert_review")
