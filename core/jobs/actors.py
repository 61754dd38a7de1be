"""The core's actors. Each takes ids, never objects, and is idempotent."""

from __future__ import annotations

import logging

import dramatiq

from core.jobs.broker import QUEUE
from core.jobs.ledger import once

log = logging.getLogger("tongban.jobs")


@dramatiq.actor(queue_name=QUEUE, max_retries=5, min_backoff=500)
async def case_event(outbox_id: int, case_id: int, seq: int) -> None:
    """Tell the plugins (and, through them, notification channels) about a case event."""
    from core.cases.tables import Case, CaseEvent
    from core.plugins import await_me_maybe, get_plugin_manager

    async with once(f"case_event:{outbox_id}") as first_time:
        if not first_time:
            return
        case = await Case.select().where(Case.id == case_id).first()
        event = (
            await CaseEvent.select()
            .where((CaseEvent.case == case_id) & (CaseEvent.seq == seq))
            .first()
        )
        if case is None or event is None:
            log.warning("case_event %s: case %s event %s not found", outbox_id, case_id, seq)
            return
        for result in get_plugin_manager().hook.tongban_case_event(case=case, event=event):
            await await_me_maybe(result)


ACTORS = {"case_event": case_event}
