"""Append-only case events, each chained to the previous by its hash.

An event is written in the same transaction as the state change it records.
The hash covers every field and the previous hash, so editing or deleting a
past event breaks the chain from that point (see ``verify_chain``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import msgspec

from core.cases.states import CLOCK_STATES
from core.cases.tables import Case, CaseEvent
from core.errors import TongbanError
from core.i18n import N_


class ConcurrentChange(TongbanError):
    status_code = 409
    message = N_("Someone else changed this case just now. Please reload and try again.")


def event_hash(fields: dict[str, Any], prev_hash: str) -> str:
    canonical = msgspec.json.encode({**fields, "prev_hash": prev_hash}, order="sorted")
    return hashlib.sha256(canonical).hexdigest()


async def append_event(
    case: dict,
    *,
    kind: str,
    from_state: str,
    to_state: str,
    actor_id: int | None,
    actor_name: str,
    unit_id: int | None,
    reason: str = "",
    payload: dict | None = None,
    case_updates: dict | None = None,
    at: datetime | None = None,
) -> dict:
    """Record one event and apply ``case_updates`` to the case, atomically.

    Must run inside a transaction. ``case`` needs ``id``, ``event_count`` and
    ``last_event_hash`` as read at the start; if another request changed the
    case in between, :class:`ConcurrentChange` is raised and the caller's
    transaction rolls back. ``at`` defaults to now.
    """
    # Hashed as stored: the database gives timestamps back in UTC, so a local time
    # (the sweep's Asia/Shanghai "now") must be hashed in UTC too or the chain breaks.
    at = (at or datetime.now(UTC)).astimezone(UTC)
    seq = case["event_count"] + 1
    fields = {
        "case": case["id"],
        "seq": seq,
        "kind": kind,
        "from_state": from_state,
        "to_state": to_state,
        "actor": actor_id,
        "actor_name": actor_name,
        "unit": unit_id,
        "at": at.isoformat(),
        "reason": reason,
        "payload": payload or {},
    }
    digest = event_hash(fields, case["last_event_hash"])
    updates = {
        Case.event_count: seq,
        Case.last_event_hash: digest,
        Case.updated_at: at,
        Case.state: to_state,
    }
    if to_state not in CLOCK_STATES:
        # A light says how a running clock stands: a case whose clock has stopped for
        # good (decided, withdrawn, not accepted yet) shows none, not the last it had.
        updates.update({Case.light: "", Case.light_changes_at: None})
    for column, value in (case_updates or {}).items():
        updates[getattr(Case, column)] = value
    changed = (
        await Case.update(updates)
        .where((Case.id == case["id"]) & (Case.event_count == case["event_count"]))
        .returning(Case.id)
    )
    if not changed:
        raise ConcurrentChange()
    await CaseEvent.insert(
        CaseEvent(
            case=case["id"],
            seq=seq,
            kind=kind,
            from_state=from_state,
            to_state=to_state,
            actor=actor_id,
            actor_name=actor_name,
            unit=unit_id,
            at=at,
            reason=reason,
            payload=payload or {},
            prev_hash=case["last_event_hash"],
            hash=digest,
        )
    )
    case.update({"event_count": seq, "last_event_hash": digest, "state": to_state})
    case.update(case_updates or {})
    return fields | {"hash": digest}


async def verify_chain(case_id: int) -> int | None:
    """Recompute a case's chain; return the seq of the first broken event, or None."""
    rows = await CaseEvent.select().where(CaseEvent.case == case_id).order_by(CaseEvent.seq)
    prev = ""
    for expected_seq, row in enumerate(rows, start=1):
        at = row["at"]
        fields = {
            "case": row["case"],
            "seq": row["seq"],
            "kind": row["kind"],
            "from_state": row["from_state"],
            "to_state": row["to_state"],
            "actor": row["actor"],
            "actor_name": row["actor_name"],
            "unit": row["unit"],
            "at": at.isoformat() if isinstance(at, datetime) else str(at),
            "reason": row["reason"],
            "payload": row["payload"]
            if isinstance(row["payload"], dict)
            else msgspec.json.decode(row["payload"]),
        }
        if (
            row["seq"] != expected_seq
            or row["prev_hash"] != prev
            or event_hash(fields, prev) != row["hash"]
        ):
            return row["seq"]
        prev = row["hash"]
    return None
