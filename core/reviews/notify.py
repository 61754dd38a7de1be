"""Asking the applicant for a rating once the case is done: a message with the link.

Written from the ``tongban_case_event`` hook, in the ``case_event`` actor's
transaction (at most once per event, keyed like the core's notifications),
when the result is handed over or the application is refused or denied.
"""

from __future__ import annotations

from core.cases import notifications
from core.catalog.versions import item_for_version
from core.i18n import N_, gettext
from core.reviews import links
from core.reviews.rating import online_rated
from core.settings import get_settings

ASK_AFTER = frozenset({"deliver", "deny", "refuse"})


async def ask_for_rating(case: dict, event: dict) -> bool:
    if event["kind"] not in ASK_AFTER or not case.get("resident"):
        return False
    if await online_rated(case["id"]):
        return False
    locale = get_settings().default_locale
    item = await item_for_version(case["item_version"])
    name = (item.name_en or item.name) if locale == "en" else item.name
    code = case["tracking_code"] or ""
    subject = gettext(locale, N_("Please rate our service · %(code)s"), code=code)
    body = gettext(
        locale,
        N_("How did we handle “%(item)s” (%(code)s)? Rate it here: %(link)s"),
        item=name,
        code=code,
        link=links.url_for(case["id"]),
    )
    recipients = [{"audience": "applicant", "resident": case["resident"]}]
    return bool(
        await notifications.write(case, event, recipients, subject, body, locale, topic="review")
    )
