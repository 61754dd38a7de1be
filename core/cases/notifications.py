"""Telling people about their case: the applicant and the filing agent at acceptance,
supplement, decision and issue; the supervisor when work escalates to them.

Two steps, both idempotent. When a case event is announced (the outbox's
``case_event`` message, in the idempotency ledger's transaction), the core's
own ``tongban_case_event`` implementation writes one :class:`Notification`
row per recipient — unique by event and recipient. The row itself is the
default channel's record, so every message is kept whatever the plugins do;
when plugins add channels (``tongban_notification_channels``: SMS, e-mail …)
a ``deliver_notification`` message is queued for each row, and delivering
hands it to every channel not yet done, noting each result on the row.

A row keeps its subject and body in the site's default language (what the
channels deliver: nobody has a language of their own yet) and, in ``texts``,
in every language of the UI, so that an inbox shows each message in its
reader's language. Rows written before ``texts`` existed show their stored text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import msgspec

from core.cases import access, supplement, timing
from core.cases.declarations import OutgoingMessage
from core.cases.tables import Notification
from core.catalog.versions import item_for_version
from core.i18n import LOCALES, N_, Listing, Localized, format_day, gettext
from core.jobs import outbox
from core.plugins import await_me_maybe, get_plugin_manager
from core.residents import crypto
from core.settings import get_settings
from core.tenancy.tables import Unit

log = logging.getLogger("tongban.notify")

# Event kinds the applicant and the filing agent are told about.
APPLICANT_EVENTS = frozenset(
    {"accept", "refuse", "request_supplement", "approve", "deny", "issue_held", "issue"}
)
SUPERVISOR_EVENTS = frozenset({"escalate"})

SUBJECTS = {
    "accept": N_("Application accepted"),
    "refuse": N_("Application not accepted"),
    "request_supplement": N_("Materials needed"),
    "approve": N_("Application approved"),
    "deny": N_("Application not approved"),
    "issue_held": N_("Payment needed"),
    "issue": N_("Result ready"),
    "escalate": N_("Overdue case escalated to you"),
}


class RecordChannel:
    """The default channel: the notification row is the record, shown on staff desks."""

    name = "record"

    async def send(self, message: OutgoingMessage) -> None:
        return None


def _payload(event: dict) -> dict:
    payload = event.get("payload") or {}
    return payload if isinstance(payload, dict) else msgspec.json.decode(payload)


def _text(
    case: dict, event: dict, item, locale: str, places: dict[str, Localized] | None = None
) -> tuple[str, str]:
    """Subject and body of the message about ``event``, in ``locale``; ``places`` names the
    units an escalation's entries give by code."""

    def t(message: str, **params) -> str:
        return gettext(locale, message, **params)

    english = locale == "en"
    name = (item.name_en or item.name) if english else item.name
    code = case["tracking_code"]
    kind = event["kind"]
    payload = _payload(event)
    reason = (event.get("reason") or "").strip()
    if kind == "accept":
        body = t(
            N_("Your application “%(item)s” (%(code)s) was accepted. It is due by %(due)s."),
            item=name,
            code=code,
            due=format_day(payload["due_on"], locale) if payload.get("due_on") else "",
        )
    elif kind == "refuse":
        body = t(
            N_("Your application “%(item)s” (%(code)s) was not accepted: %(reason)s"),
            item=name,
            code=code,
            reason=reason,
        )
    elif kind == "request_supplement" and payload.get("materials"):
        # The stored notice is in the site's language; the reader's is made from the same list.
        body = supplement.notice_text(item, code, payload["materials"], reason, locale)
    elif kind == "request_supplement":
        body = payload.get("notice") or t(
            N_("Please hand in the materials listed for “%(item)s” (%(code)s)."),
            item=name,
            code=code,
        )
    elif kind == "approve":
        body = t(N_("Your application “%(item)s” (%(code)s) was approved."), item=name, code=code)
    elif kind == "deny":
        body = t(
            N_("Your application “%(item)s” (%(code)s) was not approved: %(reason)s"),
            item=name,
            code=code,
            reason=reason,
        )
    elif kind == "issue_held" and payload.get("awaiting") == "payment" and payload.get("pay_by"):
        body = t(
            N_(
                "Your application “%(item)s” (%(code)s) was approved. Please pay %(amount)s yuan with payment code %(payment_code)s at a bank counter by %(pay_by)s; the result is issued as soon as the payment is recorded. If it is not paid by then, the application is deemed withdrawn."
            ),
            item=name,
            code=code,
            amount=payload.get("amount", ""),
            payment_code=payload.get("payment_code", ""),
            pay_by=format_day(payload["pay_by"], locale),
        )
    elif kind == "issue_held" and payload.get("awaiting") == "payment":
        body = t(
            N_(
                "Your application “%(item)s” (%(code)s) was approved. Please pay %(amount)s yuan with payment code %(payment_code)s at a bank counter; the result is issued as soon as the payment is recorded."
            ),
            item=name,
            code=code,
            amount=payload.get("amount", ""),
            payment_code=payload.get("payment_code", ""),
        )
    elif kind == "issue_held":
        body = t(
            N_(
                "Your application “%(item)s” (%(code)s) was approved. The result will be issued once the remaining formalities are done."
            ),
            item=name,
            code=code,
        )
    elif kind == "issue":
        body = t(
            N_(
                "The result of “%(item)s” (%(code)s) is ready. Your agent or the window will hand it over."
            ),
            item=name,
            code=code,
        )
    else:  # escalate
        codes = [e.get("unit", "") for e in payload.get("escalations", [])]
        units = Listing((places or {}).get(c, c) for c in codes)
        body = t(
            N_("Case %(code)s (“%(item)s”) is overdue at %(units)s and has been escalated to you."),
            code=code,
            item=name,
            units=units,
        )
    subject = t(SUBJECTS[kind])
    return f"{subject} · {code}", body


async def record_for_event(case: dict, event: dict) -> int:
    """Write the notifications an event calls for; returns how many are new.

    Runs in the caller's transaction (the ``case_event`` actor's ledger), so
    the rows and their delivery messages commit with the ledger entry.
    """
    kind = event["kind"]
    if kind not in APPLICANT_EVENTS and kind not in SUPERVISOR_EVENTS:
        return 0
    locale = get_settings().default_locale
    item = await item_for_version(case["item_version"])
    places = await _unit_names(_payload(event).get("escalations", [])) if kind == "escalate" else {}
    texts = in_every_locale(lambda lang: _text(case, event, item, lang, places))
    subject, body = _text(case, event, item, locale, places)
    recipients: list[dict] = []
    if kind in APPLICANT_EVENTS:
        if case["resident"]:
            recipients.append({"audience": "applicant", "resident": case["resident"]})
        if case["filed_by"]:
            recipients.append({"audience": "agent", "staff": case["filed_by"]})
    else:
        for entry in _payload(event).get("escalations", []):
            if entry.get("supervisor_unit"):
                for person in await access.supervisors_at(entry["supervisor_unit"]):
                    recipients.append({"audience": "supervisor", "staff": person["staff.id"]})
    return await write(case, event, recipients, subject, body, locale, texts=texts)


async def _unit_names(escalations: list[dict]) -> dict[str, Localized]:
    codes = sorted({e["unit"] for e in escalations if e.get("unit")})
    if not codes:
        return {}
    rows = await Unit.select(Unit.code, Unit.name, Unit.name_en).where(Unit.code.is_in(codes))
    return {r["code"]: Localized(r["name"], r["name_en"]) for r in rows}


def in_every_locale(text: Callable[[str], tuple[str, str]]) -> dict[str, dict[str, str]]:
    """``{locale: {"subject", "body"}}`` for every UI language, from ``text(locale)``
    giving the subject and body in that language: the ``texts`` of :func:`write`."""
    return {lang: dict(zip(("subject", "body"), text(lang), strict=True)) for lang in LOCALES}


async def write(
    case: dict,
    event: dict,
    recipients: list[dict],
    subject: str,
    body: str,
    locale: str,
    *,
    topic: str = "",
    texts: dict[str, dict[str, str]] | None = None,
) -> int:
    """One notification of ``event`` per recipient (``audience`` and ``resident`` or
    ``staff``), once per case event and person however often it is announced; returns
    how many are new. Runs in the caller's transaction.

    ``subject`` and ``body`` are in ``locale``, which channels deliver; ``texts``
    (:func:`in_every_locale`) the same message in every UI language, for inboxes —
    without it an inbox shows ``subject`` and ``body`` whatever its reader's language.

    ``topic`` tells apart a second message to the same person about the same event
    (a request for a rating after the decision notice); by default the audience does."""
    # With only the core's record channel there is nothing to hand on: the row is the
    # delivery. Any other channel gets its own job, outside this transaction.
    outside = [c for c in channels() if not isinstance(c, RecordChannel)]
    created = 0
    seen: set[str] = set()
    for recipient in recipients:
        who = recipient.get("staff") or recipient.get("resident")
        key = f"{case['id']}:{event['seq']}:{topic or recipient['audience']}:{who}"
        if key in seen:
            continue
        seen.add(key)
        rows = (
            await Notification.insert(
                Notification(
                    key=key,
                    case=case["id"],
                    event_seq=event["seq"],
                    audience=recipient["audience"],
                    resident=recipient.get("resident"),
                    staff=recipient.get("staff"),
                    subject=subject[:200],
                    body=body,
                    locale=locale,
                    texts={
                        lang: {"subject": t["subject"][:200], "body": t["body"]}
                        for lang, t in (texts or {}).items()
                    },
                    deliveries={} if outside else {RecordChannel.name: "sent"},
                    sent_at=None if outside else timing.utcnow(),
                )
            )
            .on_conflict(target=Notification.key, action="DO NOTHING")
            .returning(Notification.id)
        )
        if rows:
            created += 1
            if outside:
                await outbox.enqueue("deliver_notification", notification_id=rows[0]["id"])
    return created


def channels() -> list:
    """Every channel the plugins offer (the core's record channel among them)."""
    found = []
    for result in get_plugin_manager().hook.tongban_notification_channels():
        found.extend(result or [])
    return found


async def deliver(notification_id: int) -> dict:
    """Hand one notification to every channel not yet done; returns the deliveries."""
    row = (
        await Notification.select(
            *Notification.all_columns(),
            Notification.case.tracking_code,
            Notification.resident.phone_enc,
        )
        .where(Notification.id == notification_id)
        .first()
        .output(load_json=True)
    )
    if row is None or row["sent_at"] is not None:
        return {} if row is None else dict(row["deliveries"] or {})
    encrypted = row["resident.phone_enc"] if row["audience"] == "applicant" else ""
    message = OutgoingMessage(
        key=row["key"],
        audience=row["audience"],
        subject=row["subject"],
        body=row["body"],
        locale=row["locale"],
        case_id=row["case"],
        tracking_code=row["case.tracking_code"] or "",
        phone=crypto.decrypt(encrypted) if encrypted else "",
        staff_id=row["staff"],
    )
    deliveries = dict(row["deliveries"] or {})
    failed = False
    for channel in channels():
        name = getattr(channel, "name", type(channel).__name__)
        if deliveries.get(name) == "sent":
            continue
        try:
            await await_me_maybe(channel.send(message))
            deliveries[name] = "sent"
        except Exception as exc:  # one channel failing must not stop the others
            log.warning("notification %s: channel %s failed: %r", notification_id, name, exc)
            deliveries[name] = f"failed: {exc!r}"[:200]
            failed = True
    await Notification.update(
        {
            Notification.deliveries: deliveries,
            Notification.sent_at: None if failed else timing.utcnow(),
        }
    ).where((Notification.id == notification_id) & Notification.sent_at.is_null())
    return deliveries


async def inbox(staff_id: int, limit: int = 20) -> list[dict]:
    """The latest messages for a staff member (the record channel's view).

    ``subject`` and ``body`` are in Chinese, ``subject_en`` and ``body_en`` in English
    (show them with ``localized(m, "subject")``); a row written before messages were
    kept in every language has its stored text in both."""
    rows = await (
        Notification.select(
            Notification.id,
            Notification.subject,
            Notification.body,
            Notification.texts,
            Notification.created_at,
            Notification.case,
            Notification.audience,
        )
        .where(Notification.staff == staff_id)
        .order_by(Notification.id, ascending=False)
        .limit(limit)
        .output(load_json=True)
    )
    return [_readable(row) for row in rows]


def _readable(row: dict) -> dict:
    texts = row.pop("texts", None)
    texts = texts if isinstance(texts, dict) else {}
    stored = {"subject": row["subject"], "body": row["body"]}
    for lang, suffix in (("zh_CN", ""), ("en", "_en")):
        text = texts.get(lang)
        text = text if isinstance(text, dict) else {}
        for part in ("subject", "body"):
            row[part + suffix] = text.get(part) or stored[part]
    return row
