"""What the agent's workbench does beyond showing pages.

Filing ties three modules together in one transaction: the case (cases),
the uploads the agent took for it (materials) and — inside the case
service — the resident's authorisation (signing). Either all of it is
written or none of it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count

from core.cases import services as cases
from core.cases.queries import PAGE, newest_page
from core.cases.tables import Case, Task
from core.catalog.forms import FieldError
from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.db import transaction
from core.errors import PermissionDenied, ValidationFailed
from core.i18n import N_
from core.materials import services as materials
from core.settings import get_settings, site_today
from core.tenancy.scope import MembershipView, Principal, case_visibility, own_filings

FILING_ROLES = ("village_agent", "window_clerk")
LIST_LIMIT = 200  # the short lists (to hand back, window results); the case list pages
LIGHTS = ("red", "yellow", "green")
# States in which a result waits to be handed back to the resident.
HAND_BACK_STATES = ("issued",)
WINDOW_ROLE = "window_clerk"


def filing_membership(principal: Principal) -> MembershipView:
    """The unit the principal files at (an agent's agency point first)."""
    for role in FILING_ROLES:
        memberships = principal.memberships_with(role)
        if memberships:
            return memberships[0]
    raise PermissionDenied()


def unit_of(membership: MembershipView) -> dict:
    return {"path": membership.unit_path, "level": membership.level, "name": membership.unit_name}


async def items_for(membership: MembershipView) -> list[Item]:
    """Items this agency point may file (delegation and proxy rules applied)."""
    return await cases.available_items(
        unit_of(membership), proxy=membership.role == "village_agent"
    )


async def item_for(membership: MembershipView, item_code: str) -> Item:
    """The item if this unit may file it; ``ItemNotAvailable`` otherwise."""
    from core.errors import ItemNotAvailable

    item = get_catalog().items.get(item_code)
    if item is None:
        raise ItemNotAvailable(unit=membership.unit_name, reason="no such item")
    await cases.check_item_available(
        item, unit_of(membership), proxy=membership.role == "village_agent"
    )
    return item


def today() -> date:
    return site_today()


def material_ids(pairs: list[tuple[str, Any]]) -> dict[str, list[str]]:
    """``_material.<code>`` hidden inputs -> {material code: [upload ids]} in page order."""
    found: dict[str, list[str]] = {}
    for name, value in pairs:
        if isinstance(name, str) and name.startswith("_material.") and isinstance(value, str):
            found.setdefault(name.removeprefix("_material.")[:64], []).append(value[:64])
    return found


async def file_case(
    principal: Principal,
    membership: MembershipView,
    *,
    applicant: dict,
    item: Item,
    data: dict,
    uploads: dict[str, list[str]],
    idempotency_key: str | None,
) -> dict:
    """Submit the case for the resident whose applicant section is ``applicant``
    (:func:`core.residents.services.for_filing`) and attach its uploads, in one
    transaction. Returns ``{id, tracking_code}``."""
    from core.catalog.uploads import tokens_in

    wanted = {m.code for m in item.materials}
    ids = [i for code, ids in uploads.items() if code in wanted for i in ids]
    # Files of the form's file fields travel as ids in the values: they belong to the case too.
    ids += tokens_in(data)
    async with transaction():
        case = await cases.submit(
            principal,
            unit_id=membership.unit_id,
            item_code=item.code,
            applicant=applicant,
            data=data,
            idempotency_key=idempotency_key,
        )
        await materials.attach(principal, case["id"], ids, round=0)
    return case


# -- the agent's lists ----------------------------------------------------------------
LIST_COLUMNS = (
    Case.id,
    Case.tracking_code,
    Case.item_code,
    Case.state,
    Case.outcome,
    Case.light,
    Case.due_on,
    Case.created_at,
    Case.updated_at,
    Case.resident.name,
)


def _mine(principal: Principal):
    return own_filings(principal, Case)


def _my_filter(
    principal: Principal, *, state: str = "", light: str = "", resident_id: int | None = None
):
    """Where-clause of this person's filings, narrowed by state, light or resident;
    None when they may list nothing."""
    where = _mine(principal)
    if where is None:
        return None
    if state:
        where = where & (Case.state == state)
    if light:
        where = where & (Case.light == light)
    if resident_id is not None:
        where = where & (Case.resident == resident_id)
    return where


async def my_cases(
    principal: Principal,
    *,
    state: str = "",
    light: str = "",
    resident_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> list[dict]:
    """Cases this person filed, newest first, optionally by state, light or resident;
    at most ``limit`` (capped at :data:`LIST_LIMIT`). The case list pages instead
    (:func:`my_case_page`)."""
    rows, _ = await my_case_page(
        principal,
        state=state,
        light=light,
        resident_id=resident_id,
        limit=max(1, min(limit, LIST_LIMIT)),
    )
    return rows


async def my_case_page(
    principal: Principal,
    *,
    state: str = "",
    light: str = "",
    resident_id: int | None = None,
    before: int = 0,
    limit: int = PAGE,
) -> tuple[list[dict], bool]:
    """One page of the case list: the ``limit`` newest of this person's cases (by state,
    light or resident) older than case id ``before`` (0: from the newest), and whether
    older ones follow — keyset paging shared with the area list (``newest_page``)."""
    where = _my_filter(principal, state=state, light=light, resident_id=resident_id)
    if where is None:
        return [], False
    return await newest_page(where, LIST_COLUMNS, before=before, limit=limit)


async def my_counts(
    principal: Principal, *, resident_id: int | None = None
) -> dict[str, dict[str, int]]:
    """How many of this person's cases (for one resident, if given) are in each state
    and under each light."""
    where = _my_filter(principal, resident_id=resident_id)
    counts: dict[str, dict[str, int]] = {"state": {}, "light": {}}
    if where is None:
        return counts
    for column, key in ((Case.state, "state"), (Case.light, "light")):
        rows = await Case.select(column, Count(Case.id, alias="n")).where(where).group_by(column)
        counts[key] = {row[column._meta.name]: row["n"] for row in rows}
    return counts


class ShortList(list):
    """A short list's rows, at most :data:`LIST_LIMIT`, oldest first, and ``beyond``:
    how many more there are that it does not show (the page says so; they come up as
    the first ones are dealt with)."""

    def __init__(self, rows=(), beyond: int = 0) -> None:
        super().__init__(rows)
        self.beyond = beyond


async def _short_list(where) -> ShortList:
    rows = await Case.select(*LIST_COLUMNS).where(where).order_by(Case.updated_at).limit(LIST_LIMIT)
    beyond = 0
    if len(rows) >= LIST_LIMIT:
        beyond = max(0, await Case.count().where(where) - len(rows))
    return ShortList(rows, beyond)


async def to_hand_back(principal: Principal) -> ShortList:
    """Results issued for cases this person filed, waiting to be handed to the resident,
    oldest first; at most :data:`LIST_LIMIT`, with how many more (``beyond``)."""
    where = _mine(principal)
    if where is None:
        return ShortList()
    return await _short_list(where & Case.state.is_in(list(HAND_BACK_STATES)))


def _delivered_by_a_step(item: Item | None) -> bool:
    """Items whose workflow has a deliver step: that step's holder hands out, from the desk."""
    return bool(item) and any(s.kind == "deliver" for s in item.workflow.steps)


async def window_results(principal: Principal) -> ShortList:
    """Results issued and waiting to be handed out at this person's window, oldest first;
    at most :data:`LIST_LIMIT`, with how many more (``beyond``).

    The cases filed at the window, and those it accepted that no agent filed
    (an agent hands those back at the village); not the items whose workflow
    has its own deliver step (handed out from the desk by the step's holder).
    """
    units = sorted({m.unit_id for m in principal.writable_memberships if m.role == WINDOW_ROLE})
    where = case_visibility(principal, Case, Task)
    if not units or where is None:
        return ShortList()
    here = Case.filed_unit.is_in(units) | (
        Case.accepting_unit.is_in(units) & (Case.channel != "proxy")
    )
    where = where & here & Case.state.is_in(list(HAND_BACK_STATES))
    # Left out in the query, so that the cap and the count are of the tray's own rows.
    by_a_step = sorted(c for c, item in get_catalog().items.items() if _delivered_by_a_step(item))
    if by_a_step:
        where = where & Case.item_code.not_in(by_a_step)
    return await _short_list(where)


# -- after filing: supplements, handing back, sending the receipt ---------------------
SUPPLEMENT_STATES = ("supplement_requested", "review_supplement")
MISSING_UPLOAD = N_("Attach a photo or scan of this material")


async def outstanding(case: dict) -> list[dict]:
    """The materials the latest supplement notice asks for (when one is open)."""
    from core.cases import supplement

    if case["state"] not in SUPPLEMENT_STATES:
        return []
    return await supplement.outstanding(case["id"])


async def supply(
    principal: Principal, case: dict, uploads: dict[str, list[str]], note: str = ""
) -> dict:
    """Hand in a supplement: attach the new uploads and record it, in one transaction.

    Every requested material needs at least one file: the window cannot
    accept a paper copy the agent still holds. Raises ValidationFailed with
    an error at each slot left empty.
    """
    from core.cases import supplement

    requested = await outstanding(case)
    usable = {r["public_id"] for r in await materials.usable(principal, _flat(uploads))}
    errors = [
        FieldError(path=f"upload.{m['code']}", message=MISSING_UPLOAD)
        for m in requested
        if not any(i in usable for i in uploads.get(m["code"], []))
    ]
    if errors:
        raise ValidationFailed(errors)
    round_number = len(await supplement.requests_of(case["id"]))
    wanted = {m["code"] for m in requested}
    ids = [i for code, ids in uploads.items() if code in wanted for i in ids]
    async with transaction():
        await materials.attach(principal, case["id"], ids, round=round_number)
        return await cases.act(
            principal,
            case["id"],
            "supply",
            materials=tuple(m["code"] for m in requested),
            reason=note.strip()[:500],
        )


def _flat(uploads: dict[str, list[str]]) -> list[str]:
    return [i for ids in uploads.values() for i in ids]


async def hand_back(principal: Principal, case_id: int, method: str) -> dict:
    """The result reached the resident (in person at the agency point, by post, electronically)."""
    return await cases.act(principal, case_id, "deliver", method=method)


RECEIPT_SUBJECT = N_("Application filed")
RECEIPT_BODY = N_(
    "Your application “%(item)s” was filed at %(unit)s. Tracking code: %(code)s. "
    "Check its progress with the code and the last 4 characters of your ID or mobile number."
)


async def send_receipt(principal: Principal, case: dict, item: Item, unit_name: str) -> bool:
    """Send the filing receipt to the applicant's phone, once per case.

    Written as a notification (the record channel keeps it; SMS plugins
    deliver it) with its delivery queued in the same transaction. Returns
    False when it had been sent before.
    """
    from core.cases.tables import Notification
    from core.i18n import gettext
    from core.jobs import outbox

    if not case.get("resident"):
        return False
    locale = get_settings().default_locale
    english = locale == "en"
    body = gettext(
        locale,
        RECEIPT_BODY,
        item=(item.name_en or item.name) if english else item.name,
        unit=unit_name,
        code=case["tracking_code"],
    )
    async with transaction():
        rows = (
            await Notification.insert(
                Notification(
                    key=f"{case['id']}:receipt:{case['resident']}",
                    case=case["id"],
                    event_seq=1,
                    audience="applicant",
                    resident=case["resident"],
                    subject=f"{gettext(locale, RECEIPT_SUBJECT)} · {case['tracking_code']}",
                    body=body,
                    locale=locale,
                )
            )
            .on_conflict(target=Notification.key, action="DO NOTHING")
            .returning(Notification.id)
        )
        if not rows:
            return False
        await outbox.enqueue("deliver_notification", notification_id=rows[0]["id"])
    return True


async def receipt_sent(case_id: int) -> bool:
    from core.cases.tables import Notification

    return await Notification.exists().where(
        (Notification.case == case_id) & Notification.key.like(f"{case_id}:receipt:%")
    )


async def inbox(principal: Principal, limit: int = 5) -> list[dict]:
    """The latest messages to this person about their cases."""
    from core.cases.notifications import inbox as case_inbox

    return await case_inbox(principal.staff_id, limit=limit)
