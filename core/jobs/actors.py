"""The core's actors. Each takes ids, never objects, and is idempotent."""

from __future__ import annotations

import logging

import dramatiq

from core.jobs.broker import QUEUE
from core.jobs.ledger import once

log = logging.getLogger("tongban.jobs")

# A one-off message (a case event, a notification, a calendar change) is not sent again,
# so its retries outlast an outage of an hour: the database restarted for an upgrade, an
# SMS gateway down. Each wait doubles up to ten minutes; 20 retries are at least 63 min
# (Dramatiq's jitter never shortens a wait below half the cap). The periodic jobs below
# need no such patience: their next slot does the same work.
PATIENT = {"max_retries": 20, "max_backoff": 600_000}


@dramatiq.actor(queue_name=QUEUE, min_backoff=1000, **PATIENT)
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


@dramatiq.actor(queue_name=QUEUE, min_backoff=2000, **PATIENT)
async def deliver_notification(outbox_id: int, notification_id: int) -> None:
    """Hand a notification to every channel; channels already done are skipped on retry."""
    from core.cases.notifications import deliver

    deliveries = await deliver(notification_id)
    failed = [name for name, result in deliveries.items() if result != "sent"]
    if failed:
        raise RuntimeError(f"notification {notification_id}: channels failed: {failed}")


@dramatiq.actor(queue_name=QUEUE, max_retries=3, min_backoff=5000, time_limit=30 * 60_000)
async def sweep_deadlines(outbox_id: int, slot: int = 0) -> None:
    """The periodic deadline sweep (lights, escalations, silence-is-consent).

    No ledger: each case it changes is its own idempotent transaction, so a
    sweep delivered twice, or killed and redelivered, does each change once.
    """
    from core.cases.sweep import run_sweep

    report = await run_sweep()
    if report.case_lights or report.step_lights or report.silent_consents:
        log.info("sweep %s: %s", slot, report)


@dramatiq.actor(queue_name=QUEUE, min_backoff=5000, time_limit=60 * 60_000, **PATIENT)
async def recompute_deadlines(outbox_id: int) -> None:
    """After a calendar change: recompute the due dates and next light changes of open cases."""
    from core.cases.timing import recompute_all

    changed = await recompute_all()
    log.info("calendar changed: %s open cases and tasks got new deadlines", changed)


ACTORS = {
    "case_event": case_event,
    "deliver_notification": deliver_notification,
    "sweep_deadlines": sweep_deadlines,
    "recompute_deadlines": recompute_deadlines,
}

# Plugins' actors (the tongban_actors hook) exist in every process that runs jobs.
from core.plugins import load_plugin_actors  # noqa: E402 - after the core's own actors

load_plugin_actors()
