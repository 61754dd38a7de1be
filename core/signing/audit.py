"""The tamper-evident case record: signed daily checkpoints and the audit that checks them.

Each case's events form a hash chain (:mod:`core.cases.events`), so editing
an event breaks its chain — unless whoever edits it also recomputes every
later hash.  Checkpoints close that gap: once a day the site signs (CMS,
with its system certificate) the head ``(case, seq, hash)`` of every chain
that changed since the previous checkpoint, folded together with the
previous checkpoint's digest.  The checkpoints are a chain of their own, so
each one commits to every case chain as it stood that day, yet a day's
checkpoint costs only what changed that day, not every case ever filed.

``verify_all`` recomputes every case chain, then every checkpoint: its
signature, its link to the previous one, its digest, and that each chain
head it signed is still in the database as signed.  A rewritten history
passes the first test and fails the second.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

import msgspec

from core.cases.events import event_hash
from core.cases.tables import Case, CaseEvent
from core.db import transaction
from core.settings import site_today
from core.signing import cms
from core.signing.authority import (
    SYSTEM_UNIT_CODE,
    ca_name,
    current_crls,
    root_pem,
    system_signer,
)
from core.signing.tables import Checkpoint, CheckpointHead
from core.signing.verify import averify_detached

BATCH = 500
DOMAIN = b"tongban-checkpoint-v1\0"


@dataclass(frozen=True)
class Problem:
    """One broken link, in words an auditor can act on."""

    message: str
    case_id: int | None = None
    tracking_code: str | None = None
    seq: int | None = None
    checkpoint: int | None = None

    def __str__(self) -> str:
        where = []
        if self.checkpoint is not None:
            where.append(f"checkpoint #{self.checkpoint}")
        if self.case_id is not None:
            where.append(f"case {self.tracking_code or '?'} (id {self.case_id})")
        if self.seq is not None:
            where.append(f"event {self.seq}")
        return (", ".join(where) + ": " if where else "") + self.message


@dataclass
class AuditReport:
    cases: int = 0
    events: int = 0
    checkpoints: int = 0
    unsealed_cases: int = 0  # chains that changed after the last checkpoint
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def digest_of(prev_digest: str, entries: list[list[Any]]) -> str:
    """The checkpoint digest: the previous digest, then each ``case:seq:hash`` line in order."""
    h = hashlib.sha256(DOMAIN + prev_digest.encode("ascii") + b"\0")
    for case_id, seq, head in entries:
        h.update(f"{int(case_id)}:{int(seq)}:{head}\n".encode("ascii"))
    return h.hexdigest()


def statement_of(
    seq: int, made_at: dt.datetime, prev_digest: str, digest: str, count: int
) -> bytes:
    """The exact bytes a checkpoint's signature covers (canonical JSON)."""
    return msgspec.json.encode(
        {
            "v": 1,
            "site": ca_name(),
            "seq": seq,
            "made_at": made_at.isoformat(),
            "prev_digest": prev_digest,
            "digest": digest,
            "entries": count,
        },
        order="sorted",
    )


# ------------------------------------------------------------------ making checkpoints


async def _changed_heads() -> list[list[Any]]:
    rows = await Case.raw(
        "SELECT c.id AS case_id, c.event_count AS seq, c.last_event_hash AS head "
        "FROM cases_case c LEFT JOIN signing_checkpoint_head h ON h.case_id = c.id "
        "WHERE c.event_count > 0 AND (h.id IS NULL OR h.seq <> c.event_count "
        "OR h.hash <> c.last_event_hash) ORDER BY c.id"
    )
    return [[r["case_id"], r["seq"], r["head"]] for r in rows]


async def make_checkpoint(now: dt.datetime | None = None) -> dict:
    """Sign a checkpoint of every chain that changed since the last one; return its row."""
    made_at = (now or _now()).replace(microsecond=0)
    signer = await system_signer()
    async with transaction():
        last = (
            await Checkpoint.select(Checkpoint.seq, Checkpoint.digest)
            .order_by(Checkpoint.seq, ascending=False)
            .first()
        )
        seq = (last["seq"] + 1) if last else 1
        prev = last["digest"] if last else ""
        entries = await _changed_heads()
        digest = digest_of(prev, entries)
        statement = statement_of(seq, made_at, prev, digest, len(entries))
        signature = cms.sign_detached(
            statement, signer.pair, signer.passphrase, signer.chain, backend=signer.backend
        )
        await Checkpoint.insert(
            Checkpoint(
                seq=seq,
                day=site_today(made_at),
                made_at=made_at,
                prev_digest=prev,
                digest=digest,
                entries=entries,
                statement=statement.decode("utf-8"),
                signature=signature,
                signer_serial=signer.serial,
            )
        )
        for start in range(0, len(entries), BATCH):
            chunk = entries[start : start + BATCH]
            await CheckpointHead.insert(
                *[CheckpointHead(case_id=c, seq=s, hash=h) for c, s, h in chunk]
            ).on_conflict(
                target=CheckpointHead.case_id,
                action="DO UPDATE",
                values=[CheckpointHead.seq, CheckpointHead.hash],
            )
    return (
        await Checkpoint.select(
            Checkpoint.seq, Checkpoint.day, Checkpoint.made_at, Checkpoint.digest
        )
        .where(Checkpoint.seq == seq)
        .first()
    )


async def checkpoint_due(now: dt.datetime | None = None) -> bool:
    """True when the site has no checkpoint for today yet."""
    return not await Checkpoint.exists().where(Checkpoint.day == site_today(now))


async def latest_checkpoint() -> dict | None:
    return (
        await Checkpoint.select(
            Checkpoint.seq, Checkpoint.day, Checkpoint.made_at, Checkpoint.digest
        )
        .order_by(Checkpoint.seq, ascending=False)
        .first()
    )


# ------------------------------------------------------------------ verifying


def event_fields(row: dict) -> dict:
    """The hashed fields of a stored event, exactly as ``append_event`` hashed them."""
    at = row["at"]
    payload = row["payload"]
    return {
        "case": row["case"],
        "seq": row["seq"],
        "kind": row["kind"],
        "from_state": row["from_state"],
        "to_state": row["to_state"],
        "actor": row["actor"],
        "actor_name": row["actor_name"],
        "unit": row["unit"],
        "at": at.isoformat() if isinstance(at, dt.datetime) else str(at),
        "reason": row["reason"],
        "payload": payload if isinstance(payload, dict) else msgspec.json.decode(payload),
    }


def check_chain(case: dict, events: list[dict]) -> Problem | None:
    """The first broken link of one case's chain, or None."""
    prev = ""
    where = {"case_id": case["id"], "tracking_code": case["tracking_code"]}
    for expected, row in enumerate(events, start=1):
        if row["seq"] != expected:
            return Problem(f"event {expected} is missing", seq=expected, **where)
        if row["prev_hash"] != prev:
            return Problem("does not link to the event before it", seq=row["seq"], **where)
        try:
            recomputed = event_hash(event_fields(row), prev)
        except (msgspec.DecodeError, TypeError, ValueError):
            recomputed = ""
        if recomputed != row["hash"]:
            return Problem("content does not match its hash (edited)", seq=row["seq"], **where)
        prev = row["hash"]
    if len(events) != case["event_count"] or prev != case["last_event_hash"]:
        return Problem(
            f"the case records {case['event_count']} events but {len(events)} are stored "
            "(events deleted or the case row edited)",
            **where,
        )
    return None


async def _verify_chains(report: AuditReport) -> None:
    last_id = 0
    while True:
        cases = await (
            Case.select(Case.id, Case.tracking_code, Case.event_count, Case.last_event_hash)
            .where(Case.id > last_id)
            .order_by(Case.id)
            .limit(BATCH)
        )
        if not cases:
            return
        last_id = cases[-1]["id"]
        events = await (
            CaseEvent.select()
            .where(CaseEvent.case.is_in([c["id"] for c in cases]))
            .order_by(CaseEvent.case, CaseEvent.seq)
        )
        by_case: dict[int, list[dict]] = {}
        for row in events:
            by_case.setdefault(row["case"], []).append(row)
        for case in cases:
            report.cases += 1
            report.events += len(by_case.get(case["id"], []))
            problem = check_chain(case, by_case.get(case["id"], []))
            if problem:
                report.problems.append(problem)


async def _stored_heads(entries: list[list[Any]]) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    ids = sorted({int(e[0]) for e in entries})
    for start in range(0, len(ids), BATCH):
        rows = await CaseEvent.select(CaseEvent.case, CaseEvent.seq, CaseEvent.hash).where(
            CaseEvent.case.is_in(ids[start : start + BATCH])
        )
        found.update({(r["case"], r["seq"]): r["hash"] for r in rows})
    return found


async def _tracking_codes(ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Case.select(Case.id, Case.tracking_code).where(Case.id.is_in(ids))
    return {r["id"]: r["tracking_code"] for r in rows}


async def _check_signature(row: dict, roots: bytes, crls: list[bytes]) -> str | None:
    result = await averify_detached(row["statement"].encode("utf-8"), row["signature"], roots, crls)
    if result.status == "revoked" and result.signed_before_revocation:
        return None  # signed while the certificate was still trusted
    if not result.ok:
        return f"signature is not valid ({result.reason})"
    if result.unit_code != SYSTEM_UNIT_CODE:
        return "signed by a certificate that does not sign checkpoints"
    return None


def _statement_problem(row: dict, entries: list[list[Any]]) -> str | None:
    """Compare the signed statement with the row's fields (they could be edited apart)."""
    try:
        signed = msgspec.json.decode(row["statement"].encode("utf-8"))
        same = (
            signed.get("seq") == row["seq"]
            and signed.get("prev_digest") == row["prev_digest"]
            and signed.get("digest") == row["digest"]
            and signed.get("entries") == len(entries)
        )
    except (msgspec.DecodeError, AttributeError):
        same = False
    return None if same else "its fields differ from what was signed"


async def _verify_checkpoints(report: AuditReport) -> None:
    trust: tuple[bytes, list[bytes]] | None = None
    prev_digest = ""
    expected = 1
    last_seq = 0
    while True:
        rows = await (
            Checkpoint.select()
            .where(Checkpoint.seq > last_seq)
            .order_by(Checkpoint.seq)
            .limit(20)
            .output(load_json=True)
        )
        if not rows:
            return
        if trust is None:
            trust = (await root_pem(), await current_crls())
        for row in rows:
            last_seq = cp = row["seq"]
            report.checkpoints += 1
            if cp != expected:
                report.problems.append(Problem(f"checkpoint #{expected} is missing", checkpoint=cp))
            expected = cp + 1
            entries = row["entries"] or []
            problem = await _check_signature(row, *trust)
            problem = problem or _statement_problem(row, entries)
            if problem is None and row["prev_digest"] != prev_digest:
                problem = "does not link to the checkpoint before it"
            if problem is None and digest_of(row["prev_digest"], entries) != row["digest"]:
                problem = "its list of chain heads was edited"
            if problem:
                report.problems.append(Problem(problem, checkpoint=cp))
            prev_digest = row["digest"]
            await _check_heads(report, cp, row["day"], entries)


async def _check_heads(report: AuditReport, cp: int, day, entries: list[list[Any]]) -> None:
    stored = await _stored_heads(entries)
    broken = [(int(c), int(s), h) for c, s, h in entries if stored.get((int(c), int(s))) != h]
    codes = await _tracking_codes([c for c, _, _ in broken])
    for case_id, seq, _ in broken:
        report.problems.append(
            Problem(
                f"differs from the event the checkpoint of {day} signed (history rewritten)",
                case_id=case_id,
                tracking_code=codes.get(case_id),
                seq=seq,
                checkpoint=cp,
            )
        )


async def verify_all() -> AuditReport:
    """Recompute every case chain and every checkpoint; problems come in order found."""
    report = AuditReport()
    await _verify_chains(report)
    await _verify_checkpoints(report)
    report.unsealed_cases = len(await _changed_heads())
    return report
