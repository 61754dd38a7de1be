"""Which case events produce which signed documents, and what the default ones say.

Documents follow the committed event log, not the other way round: when
the outbox announces an event, every document-bearing event of that case
up to it is checked and the missing documents are issued.  So a message
that covers several events of one transaction (accept + route), or one
that is delivered twice, still yields exactly one document per event.

A plugin may lay out any document itself through ``tongban_render_document``;
otherwise the wording below is used, in the site's default language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from core.cases.tables import CaseEvent
from core.catalog.items import Item
from core.catalog.versions import item_for_version
from core.i18n import N_, gettext
from core.plugins import get_plugin_manager
from core.residents import crypto
from core.residents.tables import Resident
from core.settings import get_settings, site_today
from core.signing.authority import is_initialised
from core.signing.documents import DocumentDraft, issue_document
from core.signing.tables import Document
from core.tenancy.tables import Unit

log = logging.getLogger("tongban.signing")

#: case event kind -> document kind
EVENT_DOCUMENTS = {
    "accept": "receipt",
    "refuse": "refusal",
    "request_supplement": "supplement",
    "approve": "decision",
    "deny": "decision",
}


@dataclass(frozen=True)
class Holder:
    """The applicant as documents show them: name and masked ID, plus the keyed hash."""

    resident_id: int | None
    name: str
    id_number_masked: str
    id_hash: str


@dataclass(frozen=True)
class CaseContext:
    item: Item
    values: dict
    holder: Holder


@dataclass(frozen=True)
class Rendered:
    """What ``tongban_render_document`` may return (a dict with these keys works too)."""

    title: str
    rows: list[tuple[str, str]]
    paragraphs: list[str]
    extra: dict


def payload_of(event: dict) -> dict:
    payload = event.get("payload") or {}
    return payload if isinstance(payload, dict) else msgspec.json.decode(payload)


async def load_context(case: dict) -> CaseContext:
    """The item version, decrypted form values and applicant of a case."""
    item = await item_for_version(case["item_version"])
    values = msgspec.json.decode(crypto.decrypt(case["data_enc"])) if case["data_enc"] else {}
    holder = Holder(None, "", "", "")
    if case.get("resident"):
        row = await Resident.select().where(Resident.id == case["resident"]).first()
        if row:
            holder = Holder(
                resident_id=row["id"],
                name=row["name"],
                id_number_masked=crypto.mask_id_number(crypto.decrypt(row["id_number_enc"])),
                id_hash=row["id_number_hash"] or "",
            )
    return CaseContext(item=item, values=values, holder=holder)


def _(message: str, **params: object) -> str:
    return gettext(get_settings().default_locale, message, **params)


def local_date(moment: datetime | str) -> str:
    """The site-local day of ``moment``, ISO-written."""
    return site_today(moment).isoformat()


def common_rows(case: dict, ctx: CaseContext) -> list[tuple[str, str]]:
    return [
        (_("Tracking code"), case["tracking_code"] or ""),
        (_("Applicant"), ctx.holder.name),
        (_("Citizen ID number"), ctx.holder.id_number_masked),
        (_("Service item"), ctx.item.name),
    ]


PROBLEMS = {"missing": N_("missing"), "defective": N_("defective")}


def _materials(item: Item, payload: dict) -> list[str]:
    """The materials a supplement request names, as printable lines (name, problem, note)."""
    lines = []
    for entry in payload.get("materials") or ():
        if not isinstance(entry, dict):
            entry = {"code": str(entry)}
        code = str(entry.get("code", ""))
        declared = item.material(code) if code else None
        name = str(entry.get("name") or (declared.name if declared else code))
        problem = PROBLEMS.get(str(entry.get("problem") or ""))
        note = str(entry.get("note") or entry.get("reason") or "").strip()
        detail = "；".join(part for part in (_(problem) if problem else "", note) if part)
        lines.append(f"{name}（{detail}）" if detail else name)
    return lines


def default_content(kind: str, case: dict, event: dict, unit_name: str, ctx: CaseContext):
    """The core's wording of the four notices (the e-licence's is in core.licences)."""
    item, payload = ctx.item, payload_of(event)
    rows = common_rows(case, ctx)
    reason = (event.get("reason") or "").strip()
    opinion = str(payload.get("opinion") or "").strip()
    if kind == "receipt":
        days = item.committed_days
        rows += [
            (_("Accepted by"), unit_name),
            (_("Accepted on"), local_date(event["at"])),
            (_("Committed time limit"), _("%(days)s working days", days=days)),
        ]
        return Rendered(
            _("Acceptance notice"),
            rows,
            [
                _(
                    "Your application for “%(item)s” is complete and in the legal form, so it is "
                    "accepted. It will be decided within %(days)s working days.",
                    item=item.name,
                    days=days,
                )
            ],
            {},
        )
    if kind == "refusal":
        rows += [(_("Reason for refusal"), reason)]
        return Rendered(
            _("Notice of refusal to accept"),
            rows,
            [
                _(
                    "Your application does not meet the conditions for acceptance and is not accepted."
                ),
                _(
                    "If you disagree, you may apply for administrative reconsideration or bring "
                    "an administrative lawsuit according to law."
                ),
            ],
            {},
        )
    if kind == "supplement":
        for index, line in enumerate(_materials(item, payload), start=1):
            rows.append((_("Material %(n)s", n=index), line))
        if reason:
            rows.append((_("Explanation"), reason))
        return Rendered(
            _("One-time supplement notice"),
            rows,
            [
                _(
                    "Your materials are incomplete or not in the legal form. Please supply "
                    "everything listed above at once; the time limit stops until they arrive."
                )
            ],
            {},
        )
    approved = event["kind"] == "approve"
    rows += [
        (_("Decision result"), _("Granted") if approved else _("Not granted")),
        (_("Decided by"), unit_name),
        (_("Decided on"), local_date(event["at"])),
    ]
    if opinion or reason:
        rows.append((_("Opinion"), opinion or reason))
    paragraphs = (
        [_("Your application meets the legal conditions and is approved.")]
        if approved
        else [
            _("Your application does not meet the legal conditions and is not approved."),
            _(
                "If you disagree, you may apply for administrative reconsideration within sixty "
                "days of receiving this decision, or bring an administrative lawsuit within six "
                "months, according to law."
            ),
        ]
    )
    return Rendered(_("Decision notice"), rows, paragraphs, {})


def as_rendered(value: Any) -> Rendered | None:
    """Accept a plugin's answer as a Rendered, a dict or any object with the same names."""
    if value is None or isinstance(value, Rendered):
        return value
    get = (
        value.get
        if isinstance(value, dict)
        else lambda key, default=None: getattr(value, key, default)
    )
    rows = [(str(a), str(b)) for a, b in (get("rows", None) or ())]
    extra = {k: get(k, None) for k in ("number", "valid_until") if get(k, None) is not None}
    return Rendered(
        str(get("title", "")), rows, [str(p) for p in get("paragraphs", None) or ()], extra
    )


def render(kind: str, case: dict, event: dict, unit_name: str, ctx: CaseContext, default):
    """Ask the plugins first (``tongban_render_document``), else use ``default``."""
    answer = get_plugin_manager().hook.tongban_render_document(
        kind=kind, item=ctx.item, case=case, values=ctx.values, holder=ctx.holder
    )
    return as_rendered(answer) or default(kind, case, event, unit_name, ctx)


async def events_needing(case: dict, upto_seq: int, kinds: dict[str, str]) -> list[dict]:
    """Events of ``case`` up to ``upto_seq`` whose document (per ``kinds``) is not issued yet."""
    events = (
        await CaseEvent.select()
        .where(
            (CaseEvent.case == case["id"])
            & (CaseEvent.seq <= upto_seq)
            & CaseEvent.kind.is_in(list(kinds))
        )
        .order_by(CaseEvent.seq)
    )
    if not events:
        return []
    done = {
        r["doc_key"]
        for r in await Document.select(Document.doc_key).where(Document.case == case["id"])
    }
    return [e for e in events if f"{case['id']}:{e['seq']}:{kinds[e['kind']]}" not in done]


async def unit_name(unit_id: int) -> str:
    row = await Unit.select(Unit.name).where(Unit.id == unit_id).first()
    return row["name"] if row else ""


async def issue_notices(case: dict, event: dict) -> list[dict]:
    """Issue every missing notice/decision of ``case`` up to ``event`` (idempotent)."""
    pending = await events_needing(case, event["seq"], EVENT_DOCUMENTS)
    if not pending:
        return []
    if not await is_initialised():
        log.error("case %s: cannot sign documents, the site CA is not set up", case["id"])
        return []
    ctx = await load_context(case)
    issued = []
    for ev in pending:
        if not ev["unit"]:
            continue
        kind = EVENT_DOCUMENTS[ev["kind"]]
        name = await unit_name(ev["unit"])
        content = render(kind, case, ev, name, ctx, default_content)
        draft = DocumentDraft(
            kind=kind,
            case_id=case["id"],
            event_seq=ev["seq"],
            unit_id=ev["unit"],
            title=content.title,
            rows=content.rows,
            paragraphs=content.paragraphs,
            approver_id=ev["actor"] if kind == "decision" else None,
            reason=content.title,
        )
        issued.append(await issue_document(draft))
    return issued
