"""Telling the applicant (and the filing agent) that the payment deadline is near, or has passed.

Written from the ``tongban_case_event`` hook for the ``payment_reminder`` and
``lapse`` events of :mod:`core.payments.lapse`, in the ``case_event`` actor's
transaction, through the core's own notice writer
(:func:`core.cases.notifications.write`): one row per recipient, unique by
event and recipient, so a message delivered twice is written once; plugins'
channels (SMS …) get a ``deliver_notification`` job. The text is kept in every UI
language too, so that the agent's inbox shows it in the agent's.
"""

from __future__ import annotations

import msgspec

from core.cases import notifications
from core.catalog.versions import item_for_version
from core.i18n import N_, format_day, gettext
from core.payments.lapse import LAPSE, REMINDER
from core.settings import get_settings

SUBJECTS = {
    REMINDER: N_("Payment deadline near"),
    LAPSE: N_("Fees not paid in time: application closed"),
}


def text(case: dict, event: dict, item, locale: str) -> tuple[str, str]:
    """Subject and body of the message about a reminder or a lapse, in ``locale``."""
    payload = event.get("payload") or {}
    if not isinstance(payload, dict):
        payload = msgspec.json.decode(payload)
    name = (item.name_en or item.name) if locale == "en" else item.name
    params = {
        "item": name,
        "code": case["tracking_code"] or "",
        "amount": payload.get("amount", ""),
        "payment_code": payload.get("payment_code", ""),
        "pay_by": format_day(payload["pay_by"], locale) if payload.get("pay_by") else "",
    }
    if event["kind"] == REMINDER:
        body = N_(
            "Reminder: please pay %(amount)s yuan for “%(item)s” (%(code)s) with payment code %(payment_code)s at a bank counter by %(pay_by)s. If it is not paid by then, the application is deemed withdrawn."
        )
    else:
        body = N_(
            "The fees of “%(item)s” (%(code)s), %(amount)s yuan, were not paid by %(pay_by)s, so the application is deemed withdrawn and its fees can no longer be paid. To obtain the result, please apply again."
        )
    subject = gettext(locale, SUBJECTS[event["kind"]])
    return f"{subject} · {params['code']}", gettext(locale, body, **params)


async def notify(case: dict, event: dict) -> int:
    """Write the messages a reminder or a lapse calls for; returns how many are new."""
    if event["kind"] not in SUBJECTS:
        return 0
    locale = get_settings().default_locale
    item = await item_for_version(case["item_version"])
    subject, body = text(case, event, item, locale)
    recipients: list[dict] = []
    if case["resident"]:
        recipients.append({"audience": "applicant", "resident": case["resident"]})
    if case["filed_by"]:
        recipients.append({"audience": "agent", "staff": case["filed_by"]})
    texts = notifications.in_every_locale(lambda lang: text(case, event, item, lang))
    return await notifications.write(case, event, recipients, subject, body, locale, texts=texts)
