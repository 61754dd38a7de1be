"""Payment deadlines of held results: remind the applicant, then end the case unpaid.

A result held for its fees (``issue_held`` with ``awaiting: payment``) may be
paid up to its ``pay_by`` day (see :mod:`core.payments.terms`). :func:`run`
— the ``payment_deadlines`` periodic job, or a test with an explicit
``now`` — goes over the held cases whose fees are still due:

- from ``remind_days_before`` days before the deadline: a ``payment_reminder``
  event, once per case; the applicant and the filing agent are told
  (:mod:`core.payments.notices`, from the case-event hook);
- after the deadline: the ``lapse`` event moves the case from approved to
  withdrawn (视为撤回申请), the assessment is marked ``lapsed`` so that no
  channel can take the money any more, and the applicant is told, once.

Each case is handled in its own transaction (its event, the outbox message
announcing it and the assessment's new status commit together). A run killed
half-way leaves every case either done or untouched, and the next run does the
rest; a case that fails is rolled back, logged and left to the next run, and
does not hold up the others; two runs at once cannot both write the same event: the event chain's
optimistic check (and the assessment's conditional update) lets one through
and rolls the other back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

import msgspec

from core.cases import flow, issuing, timing
from core.cases.events import ConcurrentChange
from core.cases.flow import Ctx, record
from core.cases.states import State, target
from core.cases.tables import Case, CaseEvent
from core.catalog.versions import item_for_version
from core.db import transaction
from core.payments.tables import Assessment
from core.payments.terms import PaymentTerms, pay_by, payment_terms
from core.settings import site_today

log = logging.getLogger("tongban.payments")

REMINDER = "payment_reminder"  # the deadline is near: the applicant is reminded, once
LAPSE = "lapse"  # the deadline passed unpaid: approved → withdrawn (also the transition)


@dataclass
class LapseReport:
    seen: int = 0
    reminded: int = 0
    lapsed: int = 0
    conflicts: int = 0
    failed: int = 0


async def run(now: datetime | None = None, *, batch: int = 200) -> LapseReport:
    """One pass over the approved cases whose fees are due, as of ``now``."""
    now = now or timing.utcnow()
    terms = payment_terms()
    today = site_today(now)
    report = LapseReport()
    after = 0
    while True:
        rows = await (
            Assessment.select(Assessment.id, Assessment.case)
            .where(
                (Assessment.status == "due")
                & (Assessment.total_fen > 0)
                & (Assessment.case.state == State.APPROVED.value)
                & (Assessment.id > after)
            )
            .order_by(Assessment.id)
            .limit(batch)
        )
        for row in rows:
            report.seen += 1
            try:
                done = await _handle(row["case"], now, today, terms)
            except ConcurrentChange:
                # Someone changed the case meanwhile (a payment, another run): the next
                # run looks at it again as it then stands.
                report.conflicts += 1
                continue
            except Exception:
                # One case failing (a plugin's item gone, …) rolls back alone and does not
                # hold up the others' deadlines; the next run tries it again.
                log.exception("case %s: payment deadline not handled", row["case"])
                report.failed += 1
                continue
            if done == REMINDER:
                report.reminded += 1
            elif done == LAPSE:
                report.lapsed += 1
        if len(rows) < batch:
            return report
        after = rows[-1]["id"]


async def _handle(case_id: int, now: datetime, today: date, terms: PaymentTerms) -> str:
    """Remind or lapse one case, in its own transaction; returns what was done ("" for nothing)."""
    async with transaction():
        case = await Case.select().where(Case.id == case_id).first()
        hold = await issuing.held(case) if case else None
        deadline = await pay_by(case, hold) if hold else None
        if deadline is None:
            return ""  # not (or no longer) waiting for a payment
        facts = {
            "pay_by": deadline.isoformat(),
            "amount": str(hold.get("amount", "")),
            "payment_code": str(hold.get("payment_code", "")),
        }
        if today > deadline:
            # The assessment first: a payment racing this run claims the same row, and
            # whichever commits first wins; the other finds it no longer due.
            claimed = (
                await Assessment.update({Assessment.status: "lapsed"})
                .where((Assessment.case == case_id) & (Assessment.status == "due"))
                .returning(Assessment.id)
            )
            if not claimed:
                return ""
            ctx = Ctx(principal=None, case=case, item=await _item(case), now=now)
            await flow.cancel_open_tasks(ctx)
            await record(
                ctx,
                LAPSE,
                to_state=target(case["state"], LAPSE),
                unit_id=hold.get("unit"),
                payload=facts,
                updates={"light_changes_at": None},
                by_system=True,
            )
            log.info("case %s: fees not paid by %s, lapsed", case_id, deadline)
            return LAPSE
        remind_on = terms.remind_on(deadline)
        if remind_on is None or today < remind_on:
            return ""
        reminded = await CaseEvent.exists().where(
            (CaseEvent.case == case_id) & (CaseEvent.kind == REMINDER)
        )
        if reminded:
            return ""
        ctx = Ctx(principal=None, case=case, item=await _item(case), now=now)
        await record(ctx, REMINDER, unit_id=hold.get("unit"), payload=facts, by_system=True)
        return REMINDER


async def _item(case: dict):
    return await item_for_version(case["item_version"])


async def lapsed_pay_by(case_id: int) -> date | None:
    """The deadline a lapsed case missed (from its ``lapse`` event), or None if it did not lapse."""
    row = (
        await CaseEvent.select(CaseEvent.payload)
        .where((CaseEvent.case == case_id) & (CaseEvent.kind == LAPSE))
        .order_by(CaseEvent.seq, ascending=False)
        .first()
    )
    if row is None:
        return None
    payload = row["payload"]
    payload = payload if isinstance(payload, dict) else msgspec.json.decode(payload)
    return date.fromisoformat(payload["pay_by"]) if payload.get("pay_by") else None
