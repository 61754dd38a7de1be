"""Issue e-licences when a case's result is issued, and file them in the library.

An item whose ``result.licence_type`` is set issues an e-licence when its
case reaches the ``issue`` event: a signed PDF (through core.signing, so it
verifies like every other document) plus a :class:`Licence` row indexed by
type and holder.  The plugin that owns the item may lay the licence out
itself (``tongban_render_document`` with kind ``"licence"``); by default it
shows the result's name, number, holder, issuer and validity.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

from core.catalog.items import Item
from core.i18n import gettext
from core.licences.tables import Licence
from core.settings import get_settings, site_today
from core.signing.authority import is_initialised
from core.signing.documents import DocumentDraft, issue_document
from core.signing.notices import (
    CaseContext,
    Rendered,
    events_needing,
    load_context,
    render,
    unit_name,
)
from core.signing.tables import Document

log = logging.getLogger("tongban.licences")

ISSUE_EVENTS = {"issue": "licence"}
_YEARS = re.compile(r"^\s*(\d{1,3})\s*(年|years?)\s*$", re.IGNORECASE)


def _(message: str, **params: object) -> str:
    return gettext(get_settings().default_locale, message, **params)


def valid_until(item: Item, issued_on: dt.date) -> dt.date | None:
    """The expiry a validity such as "3 年" / "3 years" gives; None for "长期" or anything else."""
    match = _YEARS.match(item.result.validity if item.result else "")
    if not match:
        return None
    years = int(match.group(1))
    try:
        return issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February
        return issued_on.replace(year=issued_on.year + years, day=28)


def licence_number(case: dict) -> str:
    """The default number: the issuing case's tracking code, unique and traceable."""
    return f"DZZZ-{case['tracking_code']}"


def default_content(kind: str, case: dict, event: dict, issuer: str, ctx: CaseContext):
    item = ctx.item
    issued_on = site_today(event["at"])
    until = valid_until(item, issued_on)
    number = licence_number(case)
    rows = [
        (_("Licence"), item.result.name if item.result else item.name),
        (_("Licence number"), number),
        (_("Holder"), ctx.holder.name),
        (_("Citizen ID number"), ctx.holder.id_number_masked),
        (_("Issued by"), issuer),
        (_("Issued on"), issued_on.isoformat()),
        (_("Valid until"), until.isoformat() if until else _("No expiry")),
        (_("Tracking code"), case["tracking_code"] or ""),
    ]
    title = item.result.name if item.result else item.name
    return Rendered(title, rows, [], {"number": number, "valid_until": until})


async def issue_licences(case: dict, event: dict) -> list[dict]:
    """Issue the e-licence of every ``issue`` event of ``case`` up to ``event`` (idempotent)."""
    pending = await events_needing(case, event["seq"], ISSUE_EVENTS)
    if not pending:
        return []
    ctx = await load_context(case)
    if not (ctx.item.result and ctx.item.result.licence_type):
        return []
    if not await is_initialised():
        log.error("case %s: cannot issue its e-licence, the site CA is not set up", case["id"])
        return []
    issued = []
    for ev in pending[:1]:  # one licence per case
        if not ev["unit"]:
            continue
        issuer = await unit_name(ev["unit"])
        content = render("licence", case, ev, issuer, ctx, default_content)
        document = await issue_document(
            DocumentDraft(
                kind="licence",
                case_id=case["id"],
                event_seq=ev["seq"],
                unit_id=ev["unit"],
                title=content.title,
                rows=content.rows,
                paragraphs=content.paragraphs,
                reason=content.title,
            )
        )
        until = content.extra.get("valid_until")
        if until is None and "valid_until" not in content.extra:
            until = valid_until(ctx.item, site_today(ev["at"]))
        await Licence.insert(
            Licence(
                licence_number=str(content.extra.get("number") or licence_number(case))[:64],
                licence_type=ctx.item.result.licence_type,
                holder_hash=ctx.holder.id_hash,
                holder_name=ctx.holder.name,
                title=content.title[:256],
                item_code=case["item_code"],
                case=case["id"],
                document=document["id"],
                issued_at=document["signed_at"],
                valid_until=until,
            )
        ).on_conflict(target=Licence.case, action="DO NOTHING")
        issued.append(document)
    return issued


async def document_of(licence: dict) -> dict | None:
    return (
        await Document.select(Document.verification_code)
        .where(Document.id == licence["document"])
        .first()
    )
