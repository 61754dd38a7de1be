"""The one-time supplement notice (一次性告知): every missing or defective material at once.

The clerk picks the materials from the item's list, says for each whether
it is missing or defective (with a note), and the notice text is generated
in the site's language. The event's payload carries the materials and the
notice, so the signing module can produce the signed notice from the event.
Asking a second time for a material already asked for is refused unless the
clerk gives a justification — the resident was promised to be told once.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from core.cases.errors import (
    MaterialsRequired,
    MaterialsStillMissing,
    NotRequested,
    SupplementRepeated,
    UnknownMaterial,
)
from core.cases.labels import PROBLEM_LABELS
from core.cases.tables import CaseEvent
from core.catalog.items import Item
from core.i18n import N_, Listing, Localized, gettext
from core.settings import get_settings

PROBLEMS = ("missing", "defective")
NOTE_MAX = 200


def materials_from(item: Item, raw: Iterable) -> list[dict]:
    """Clean the clerk's list: known codes only, each once, with a problem and a note."""
    chosen: dict[str, dict] = {}
    for entry in raw or ():
        if isinstance(entry, str):
            entry = {"code": entry}
        if not isinstance(entry, dict):
            raise UnknownMaterial(code=str(entry)[:40])
        code = str(entry.get("code", "")).strip()
        declared = item.material(code)
        if declared is None:
            raise UnknownMaterial(code=code[:40])
        problem = str(entry.get("problem") or "missing")
        if problem not in PROBLEMS:
            problem = "missing"
        chosen[code] = {
            "code": code,
            "name": declared.name,
            "name_en": declared.name_en,
            "problem": problem,
            "note": str(entry.get("note") or "").strip()[:NOTE_MAX],
        }
    if not chosen:
        raise MaterialsRequired()
    return list(chosen.values())


def _names(materials: list[dict]) -> Listing:
    """The materials' names, listed in the language the error is read in."""
    return Listing(Localized(m["name"], m.get("name_en", "")) for m in materials)


def _payload(row: dict) -> dict:
    payload = row["payload"]
    return payload if isinstance(payload, dict) else msgspec.json.decode(payload)


async def requests_of(case_id: int) -> list[dict]:
    """Every supplement request of the case, oldest first, as their payloads."""
    rows = (
        await CaseEvent.select(CaseEvent.payload)
        .where((CaseEvent.case == case_id) & (CaseEvent.kind == "request_supplement"))
        .order_by(CaseEvent.seq)
    )
    return [_payload(r) for r in rows]


async def check_repeat(case_id: int, materials: list[dict], justification: str) -> list[str]:
    """Codes asked for before; refused unless justified. Returns them (for the payload)."""
    before = {m["code"] for request in await requests_of(case_id) for m in request["materials"]}
    repeated = [m for m in materials if m["code"] in before]
    if repeated and not justification.strip():
        raise SupplementRepeated(names=_names(repeated))
    return [m["code"] for m in repeated]


async def outstanding(case_id: int) -> list[dict]:
    """The materials of the latest request (what the applicant must bring now)."""
    requests = await requests_of(case_id)
    return list(requests[-1]["materials"]) if requests else []


def check_supplied(requested: list[dict], supplied: Iterable[str]) -> list[str]:
    """The codes handed in; all requested ones unless the list says otherwise."""
    codes = [str(c).strip() for c in supplied or () if str(c).strip()]
    wanted = [m["code"] for m in requested]
    if not codes:
        return wanted
    extra = [c for c in codes if c not in wanted]
    if extra:
        raise NotRequested(names=Listing(extra))  # codes nobody asked for: no names to give
    missing = [m for m in requested if m["code"] not in codes]
    if missing:
        raise MaterialsStillMissing(names=_names(missing))
    return wanted


def notice_text(
    item: Item, tracking_code: str, materials: list[dict], reason: str, locale: str | None = None
) -> str:
    """The notice as the applicant reads it, in ``locale`` (the signed notice: the site's
    language; a message in an inbox: its reader's)."""
    locale = locale or get_settings().default_locale

    def t(message: str, **params) -> str:
        return gettext(locale, message, **params)

    english = locale == "en"
    lines = [
        t(
            N_("One-time supplement notice for “%(item)s” (tracking code %(code)s)."),
            item=(item.name_en or item.name) if english else item.name,
            code=tracking_code,
        ),
        t(N_("Please hand in all of the following at once:")),
    ]
    for number, m in enumerate(materials, start=1):
        name = (m.get("name_en") or m["name"]) if english else m["name"]
        line = f"{number}. {name} — {t(PROBLEM_LABELS[m['problem']])}"
        lines.append(f"{line}: {m['note']}" if m["note"] else line)
    if reason:
        lines.append(reason)
    lines.append(t(N_("The time limit stops until the materials arrive.")))
    return "\n".join(lines)
