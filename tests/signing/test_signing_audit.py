"""The tamper-evident record: signed checkpoints, and `tongban audit verify` finding edits.

Every test that edits the database puts the row back afterwards, so the rest
of the suite sees an intact record.
"""

from __future__ import annotations

import asyncio

import pytest
from click.testing import CliRunner

from core.cases.events import event_hash, verify_chain
from core.cases.tables import Case, CaseEvent
from core.signing import audit
from core.signing.cli import audit as audit_commands
from core.signing.tables import Checkpoint

from .flows import act, file_case, new_id_number, settle
from .licence_plugins import PERMIT_ITEM


@pytest.fixture(scope="module")
async def case_id(app, jobs, licence_items, open_browser) -> int:
    agent = await open_browser("agent")
    case = await file_case(agent, PERMIT_ITEM, "周九", new_id_number(), {"shop_name": "周记"})
    await act("clerk", case["id"], "accept")
    await settle(jobs)
    return case["id"]


async def _problems(case_id: int) -> list[audit.Problem]:
    """What the audit finds about this module's case and about the checkpoints.

    The test database also holds rows other suites fabricate directly (cases
    with a bare, unchained event to test scoping); the audit rightly reports
    those too, so each test looks at what it is about.
    """
    report = await audit.verify_all()
    return [p for p in report.problems if p.case_id in (case_id, None)]


async def _events(case_id: int) -> list[dict]:
    return await CaseEvent.select().where(CaseEvent.case == case_id).order_by(CaseEvent.seq)


async def test_checkpoint_is_signed_and_the_record_verifies(case_id: int) -> None:
    made = await audit.make_checkpoint()
    row = (
        await Checkpoint.select()
        .where(Checkpoint.seq == made["seq"])
        .output(load_json=True)
        .first()
    )
    head = (
        await Case.select(Case.event_count, Case.last_event_hash).where(Case.id == case_id).first()
    )
    assert [case_id, head["event_count"], head["last_event_hash"]] in row["entries"]
    assert await _problems(case_id) == []
    report = await audit.verify_all()
    assert report.checkpoints >= 1 and report.cases >= 1
    assert not await audit.checkpoint_due()


async def test_our_chain_check_agrees_with_the_cases_module(case_id: int) -> None:
    case = await Case.select().where(Case.id == case_id).first()
    assert audit.check_chain(case, await _events(case_id)) is None
    assert await verify_chain(case_id) is None


async def test_an_edited_event_row_is_found_at_its_seq(case_id: int) -> None:
    events = await _events(case_id)
    target = events[0]
    await CaseEvent.update({CaseEvent.actor_name: "冒名顶替"}).where(CaseEvent.id == target["id"])
    try:
        found = await _problems(case_id)
        assert found, "the edit went unnoticed"
        first = found[0]
        assert first.case_id == case_id and first.seq == target["seq"]
        assert "does not match its hash" in first.message
        assert await verify_chain(case_id) == target["seq"]  # the cases module agrees
    finally:
        await CaseEvent.update({CaseEvent.actor_name: target["actor_name"]}).where(
            CaseEvent.id == target["id"]
        )
    assert await _problems(case_id) == []


async def test_one_flipped_byte_in_a_stored_event_is_found(case_id: int) -> None:
    target = (await _events(case_id))[-1]
    original = target["reason"] or "x"
    flipped = chr(ord(original[0]) ^ 1) + original[1:]  # one bit of one character
    await CaseEvent.update({CaseEvent.reason: flipped}).where(CaseEvent.id == target["id"])
    try:
        found = await _problems(case_id)
        assert found and (found[0].case_id, found[0].seq) == (case_id, target["seq"])
    finally:
        await CaseEvent.update({CaseEvent.reason: target["reason"]}).where(
            CaseEvent.id == target["id"]
        )


async def test_a_rewritten_history_passes_the_chain_but_not_the_checkpoint(case_id: int) -> None:
    """The forger edits an event AND recomputes every later hash and the case row."""
    await audit.make_checkpoint()
    events = await _events(case_id)
    case = await Case.select().where(Case.id == case_id).first()
    originals = [(e["id"], e["reason"], e["prev_hash"], e["hash"]) for e in events]
    prev = ""
    for index, event in enumerate(events):
        reason = "材料齐全，予以受理（改）" if index == 1 else event["reason"]
        fields = audit.event_fields(event | {"reason": reason})
        digest = event_hash(fields, prev)
        await CaseEvent.update(
            {CaseEvent.reason: reason, CaseEvent.prev_hash: prev, CaseEvent.hash: digest}
        ).where(CaseEvent.id == event["id"])
        prev = digest
    await Case.update({Case.last_event_hash: prev}).where(Case.id == case_id)
    try:
        assert await verify_chain(case_id) is None  # the chain alone is fooled
        found = await _problems(case_id)
        assert found, "the rewritten history went unnoticed"
        problem = found[0]
        assert problem.case_id == case_id and problem.checkpoint is not None
        assert "history rewritten" in problem.message
        cli = await asyncio.to_thread(CliRunner().invoke, audit_commands, ["verify", "--all"])
        assert cli.exit_code == 1, cli.output
        assert "BROKEN" in cli.output and case["tracking_code"] in cli.output
    finally:
        for event_id, reason, prev_hash, digest in originals:
            await CaseEvent.update(
                {CaseEvent.reason: reason, CaseEvent.prev_hash: prev_hash, CaseEvent.hash: digest}
            ).where(CaseEvent.id == event_id)
        await Case.update({Case.last_event_hash: case["last_event_hash"]}).where(Case.id == case_id)
    assert await _problems(case_id) == []


async def test_an_edited_checkpoint_is_found(case_id: int) -> None:
    made = await audit.make_checkpoint()
    row = (
        await Checkpoint.select()
        .where(Checkpoint.seq == made["seq"])
        .output(load_json=True)
        .first()
    )
    forged = [[c, s, "0" * 64] for c, s, _ in row["entries"]] or [[case_id, 1, "0" * 64]]
    await Checkpoint.update({Checkpoint.entries: forged}).where(Checkpoint.id == row["id"])
    try:
        problems = await _problems(case_id)
        expected = (
            "its list of chain heads was edited"  # same number of heads, other hashes
            if row["entries"]
            else "its fields differ from what was signed"  # a head slipped into an empty one
        )
        assert any(p.checkpoint == row["seq"] and p.message == expected for p in problems)
    finally:
        await Checkpoint.update({Checkpoint.entries: row["entries"]}).where(
            Checkpoint.id == row["id"]
        )
    assert await _problems(case_id) == []
