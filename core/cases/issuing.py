"""A result held after approval (fees not yet paid), and issuing it once released.

A case whose workflow has no issue step is issued by the system when it is
approved (:func:`core.cases.flow.issue_automatically`). A module may hold
that issue (``tongban_issue_hold``): the case stays approved, decided, with
an ``issue_held`` event saying what it waits for. When the module's
condition is met (the payments module: the fees are recorded as paid) it
calls :func:`release` in its own transaction, and the result is issued
then, with the usual ``issue`` event, documents and notifications. A hold
may carry a deadline (the payments module's ``pay_by``); when it passes with
the condition unmet, that module ends the case (``lapse``: approved →
withdrawn), and :func:`held` answers None from then on.
"""

from __future__ import annotations

import msgspec

from core.cases import timing
from core.cases.flow import HELD, Ctx, issue_hold, record
from core.cases.states import State, target
from core.cases.tables import Case, CaseEvent
from core.catalog.versions import item_for_version
from core.db import transaction


def _payload(row: dict) -> dict:
    payload = row["payload"]
    return payload if isinstance(payload, dict) else msgspec.json.decode(payload)


async def held(case: dict) -> dict | None:
    """What an approved case's result waits for (its ``issue_held`` payload), or None."""
    if case["state"] != State.APPROVED:
        return None
    row = (
        await CaseEvent.select(CaseEvent.payload, CaseEvent.unit)
        .where((CaseEvent.case == case["id"]) & (CaseEvent.kind == HELD))
        .order_by(CaseEvent.seq, ascending=False)
        .first()
    )
    if row is None:
        return None
    return _payload(row) | {"unit": row["unit"]}


async def release(case_id: int, *, cause: dict | None = None) -> bool:
    """Issue a held result if nothing holds it any more. True if it was issued now.

    Idempotent: a case not held (already issued, never held, not approved)
    is left alone, so a payment confirmed twice issues once. Runs in the
    caller's transaction when there is one; a concurrent change to the case
    raises :class:`~core.cases.events.ConcurrentChange` and rolls it back.
    """
    async with transaction():
        case = await Case.select().where(Case.id == case_id).first()
        if case is None:
            return False
        hold = await held(case)
        if hold is None:
            return False
        item = await item_for_version(case["item_version"])
        if await issue_hold(case, item) is not None:
            return False  # still waiting (for something else, or not fully paid)
        ctx = Ctx(principal=None, case=case, item=item, now=timing.utcnow())
        await record(
            ctx,
            "issue",
            to_state=target(State.APPROVED, "issue"),
            unit_id=hold.get("unit"),
            payload={"step": hold.get("step", ""), "automatic": True, **(cause or {})},
            by_system=True,
        )
        return True
