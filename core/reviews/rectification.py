"""Following a bad review up until it is rectified, explained or overturned on appeal.

The unit that handled the case (or the visit) must call the applicant back
and record it before it closes the matter as rectified or explained; it may
instead appeal a review it thinks unfounded, and a supervisor above it —
never the unit itself — decides. An appeal granted voids the review: it
stops counting in the figures. An appeal rejected sends the matter back to
the unit. Every step is logged (:class:`~core.reviews.tables.ReviewAction`),
optimistically locked, and one transaction.
"""

from __future__ import annotations

from datetime import datetime

from core.cases import timing
from core.db import transaction
from core.errors import NotFound, PermissionDenied, TongbanError
from core.i18n import N_
from core.reports import access as supervision
from core.reports.counting import count_case
from core.reviews.tables import CallBack, Rectification, Review, ReviewAction
from core.tenancy.scope import Principal, under
from core.tenancy.tables import Unit

TEXT_LIMIT = 2000


class RectificationNotFound(NotFound):
    message = N_("No such bad review.")


class CallBackRequired(TongbanError):
    status_code = 422
    message = N_("Call the applicant back and record the call before closing this bad review.")


class TextRequired(TongbanError):
    status_code = 422
    message = N_("Please describe what was done, or why.")


class RectificationChanged(TongbanError):
    status_code = 409
    message = N_(
        "This bad review was changed just now, or that step is not possible any more. Please reload."
    )


def visibility(principal: Principal):
    """Bad reviews the person may see: their units', and those under what they supervise."""
    clauses = []
    units = sorted({m.unit_id for m in principal.memberships})
    if units:
        clauses.append(Rectification.unit.is_in(units))
    for root in supervision.roots(principal):
        clauses.append(under(Rectification.scope_path, root))
        clauses.append(Rectification.unit.is_in(Unit.select(Unit.id).where(under(Unit.path, root))))
    if not clauses:
        return None
    where = clauses[0]
    for clause in clauses[1:]:
        where = where | clause
    return where


RECT_COLUMNS = (
    Rectification.all_columns(),
    Rectification.unit.name,
    Rectification.unit.name_en,
    Rectification.unit.path,
    Rectification.review.overall,
    Rectification.review.kind,
    Rectification.review.channel,
    Rectification.review.created_at,
    Rectification.review.case.id,
    Rectification.review.case.tracking_code,
    Rectification.review.case.item_code,
)


async def rectifications(
    principal: Principal, *, within: str | None = None, state: str = "", limit: int = 200
) -> list[dict]:
    where = visibility(principal)
    if where is None:
        return []
    if within:
        where = where & (
            under(Rectification.scope_path, within)
            | Rectification.unit.is_in(Unit.select(Unit.id).where(under(Unit.path, within)))
        )
    if state:
        where = where & (Rectification.state == state)
    return await (
        Rectification.select(*RECT_COLUMNS)
        .where(where)
        .order_by(Rectification.due_on)
        .order_by(Rectification.id)
        .limit(limit)
    )


async def rectification(principal: Principal, rect_id: int) -> dict:
    where = visibility(principal)
    if where is None:
        raise RectificationNotFound()
    row = (
        await Rectification.select(*RECT_COLUMNS)
        .where((Rectification.id == rect_id) & where)
        .first()
    )
    if row is None:
        raise RectificationNotFound()
    return row


async def details(rect_id: int) -> dict:
    """The review behind a rectification, its call-backs and its log."""
    row = (
        await Rectification.select(Rectification.review).where(Rectification.id == rect_id).first()
    )
    review = await Review.select().where(Review.id == row["review"]).output(load_json=True).first()
    return {
        "review": review,
        "callbacks": await CallBack.select()
        .where(CallBack.rectification == rect_id)
        .order_by(CallBack.id),
        "log": await ReviewAction.select()
        .where(ReviewAction.rectification == rect_id)
        .order_by(ReviewAction.id),
    }


def works_on(principal: Principal, rect: dict) -> bool:
    """Its unit's staff work a bad review; so does a supervisor above it."""
    return any(m.unit_id == rect["unit"] for m in principal.writable_memberships) or (
        supervision.covers(principal, rect["unit.path"], write=True)
    )


def decides_appeal(principal: Principal, rect: dict) -> bool:
    """A supervisor above the unit decides its appeal — never someone of the unit itself."""
    if any(m.unit_id == rect["unit"] for m in principal.memberships):
        return False
    return supervision.covers(principal, rect["unit.path"], write=True)


async def _change(
    principal: Principal,
    rect: dict,
    *,
    from_states: tuple[str, ...],
    updates: dict,
    action: str,
    note: str,
    now: datetime,
) -> None:
    """Move the rectification on (optimistically locked) and log it; inside a transaction."""
    values = {getattr(Rectification, k): v for k, v in updates.items()}
    values[Rectification.version] = rect["version"] + 1
    changed = (
        await Rectification.update(values)
        .where(
            (Rectification.id == rect["id"])
            & (Rectification.version == rect["version"])
            & Rectification.state.is_in(list(from_states))
        )
        .returning(Rectification.id)
    )
    if not changed:
        raise RectificationChanged()
    await ReviewAction.insert(
        ReviewAction(
            rectification=rect["id"],
            at=now,
            staff=principal.staff_id,
            staff_name=principal.display_name[:64],
            action=action,
            note=note,
        )
    )


def _required(text: str | None) -> str:
    """A reason, note or summary the person must write (trimmed, at most TEXT_LIMIT)."""
    text = (text or "").strip()[:TEXT_LIMIT]
    if not text:
        raise TextRequired()
    return text


async def record_callback(
    principal: Principal, rect_id: int, *, reached: bool, satisfied: bool | None, summary: str
) -> None:
    rect = await rectification(principal, rect_id)
    if not works_on(principal, rect):
        raise PermissionDenied()
    summary = _required(summary)
    now = timing.utcnow()
    async with transaction():
        await CallBack.insert(
            CallBack(
                rectification=rect_id,
                at=now,
                staff=principal.staff_id,
                staff_name=principal.display_name[:64],
                reached=reached,
                satisfied=satisfied if reached else None,
                summary=summary,
            )
        )
        await _change(
            principal,
            rect,
            from_states=("open", "appealed"),
            updates={},
            action="callback",
            note=summary,
            now=now,
        )


async def resolve(principal: Principal, rect_id: int, outcome: str, text: str) -> None:
    """Close a bad review as rectified or explained — after at least one call-back."""
    if outcome not in ("rectified", "explained"):
        raise RectificationChanged()
    rect = await rectification(principal, rect_id)
    if not works_on(principal, rect):
        raise PermissionDenied()
    text = _required(text)
    if not await CallBack.exists().where(CallBack.rectification == rect_id):
        raise CallBackRequired()
    now = timing.utcnow()
    async with transaction():
        await _change(
            principal,
            rect,
            from_states=("open",),
            updates={
                "state": outcome,
                "resolution": text,
                "closed_at": now,
                "closed_by": principal.staff_id,
            },
            action=outcome,
            note=text,
            now=now,
        )


async def appeal(principal: Principal, rect_id: int, reason: str) -> None:
    rect = await rectification(principal, rect_id)
    if not any(m.unit_id == rect["unit"] for m in principal.writable_memberships):
        raise PermissionDenied()
    reason = _required(reason)
    now = timing.utcnow()
    async with transaction():
        await _change(
            principal,
            rect,
            from_states=("open",),
            updates={"state": "appealed", "appeal_reason": reason, "appealed_at": now},
            action="appealed",
            note=reason,
            now=now,
        )


async def decide_appeal(principal: Principal, rect_id: int, *, overturn: bool, note: str) -> None:
    """Grant the appeal (the review is void and stops counting) or reject it (back to open)."""
    rect = await rectification(principal, rect_id)
    if not decides_appeal(principal, rect):
        raise PermissionDenied()
    note = _required(note)
    now = timing.utcnow()
    decided = {"decision_note": note, "decided_at": now, "decided_by": principal.staff_id}
    async with transaction():
        if overturn:
            await _change(
                principal,
                rect,
                from_states=("appealed",),
                updates={**decided, "state": "overturned", "closed_at": now},
                action="overturned",
                note=note,
                now=now,
            )
            await Review.update({Review.overturned: True}).where(Review.id == rect["review"])
            await count_case(rect["review.case.id"], force=True)
        else:
            await _change(
                principal,
                rect,
                from_states=("appealed",),
                updates={**decided, "state": "open"},
                action="upheld",
                note=note,
                now=now,
            )


async def summary(path: str, today) -> dict:
    """Bad reviews of cases filed under ``path``, by state, and how many are overdue."""
    rows = await Rectification.select(Rectification.state, Rectification.due_on).where(
        under(Rectification.scope_path, path)
    )
    counts = {state: 0 for state in ("open", "appealed", "rectified", "explained", "overturned")}
    overdue = 0
    for row in rows:
        counts[row["state"]] = counts.get(row["state"], 0) + 1
        if row["state"] == "open" and row["due_on"] < today:
            overdue += 1
    return {"states": counts, "overdue": overdue, "total": len(rows)}
