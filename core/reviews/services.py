"""Reviews (好差评): recording a rating, and following up a bad one until it is closed.

A case may be rated once online (the status page, or the link in the
message that tells the applicant the result is ready) and once per on-site
visit (the agent's or the window's tablet, right after the visit). A
rating below "basically satisfied" opens a :class:`Rectification` at the
unit that handled the case (or the visit), due within the site's time
limit in working days (``[reviews] rectify_days``, default 5). The unit
must call the applicant back and record it before it closes the matter as
rectified or explained; it may instead appeal a review it thinks
unfounded, and a supervisor above it — never the unit itself — decides.
An appeal granted voids the review: it stops counting in the figures.

Every change is one transaction: the review, its rectification, the log
entry and the dashboards' counts (:func:`core.reports.counting.count_case`)
commit together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.cases import access as case_access
from core.cases import timing
from core.cases.tables import Case, CaseEvent
from core.catalog.forms import FieldError
from core.db import transaction
from core.deadlines.site_calendar import site_calendar
from core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed
from core.i18n import N_
from core.reports import access as supervision
from core.reports.counting import count_case
from core.reviews.levels import BAD_BELOW, DIMENSIONS, LEVELS, REASONS
from core.reviews.tables import CallBack, Rectification, Review, ReviewAction
from core.settings import get_settings
from core.tenancy.scope import Principal, under
from core.tenancy.tables import Unit

# A case can be rated online once the applicant has an answer.
RATABLE_STATES = frozenset({"approved", "issued", "delivered", "closed", "denied", "refused"})
DECISIVE_EVENTS = ("approve", "deny", "refuse")
COMMENT_LIMIT = 500
TEXT_LIMIT = 2000


class AlreadyReviewed(TongbanError):
    status_code = 409
    message = N_("This has already been rated. Thank you for your review.")


class NotRatable(TongbanError):
    status_code = 409
    message = N_("This case cannot be rated yet: it is still being handled.")


class VisitNotFound(NotFound):
    message = N_("No such visit to rate.")


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


@dataclass(frozen=True)
class Rating:
    overall: int
    efficiency: int | None = None
    guide: int | None = None
    convenience: int | None = None
    attitude: int | None = None
    reasons: tuple[str, ...] = ()
    comment: str = ""

    @property
    def bad(self) -> bool:
        return self.overall < BAD_BELOW


def parse_rating(pairs: Iterable[tuple[str, str]]) -> Rating:
    """A rating from form pairs; every mistake reported at once (ValidationFailed)."""
    values: dict[str, str] = {}
    reasons: list[str] = []
    for name, value in pairs:
        if name == "reasons":
            reasons.append(str(value)[:32])
        else:
            values.setdefault(name, str(value))
    errors: list[FieldError] = []

    def level(name: str, required: bool) -> int | None:
        raw = values.get(name, "").strip()
        if not raw:
            if required:
                errors.append(FieldError(path=name, message=N_("Please choose a rating")))
            return None
        if raw not in {str(n) for n in LEVELS}:
            errors.append(FieldError(path=name, message=N_("Choose one of the five levels")))
            return None
        return int(raw)

    overall = level("overall", True)
    dims = {d: level(d, False) for d in DIMENSIONS}
    unknown = [r for r in reasons if r not in REASONS]
    if unknown:
        errors.append(FieldError(path="reasons", message=N_("Choose reasons from the list")))
    comment = values.get("comment", "").strip()
    if len(comment) > COMMENT_LIMIT:
        errors.append(
            FieldError(
                path="comment",
                message=N_("At most %(max)s characters"),
                params={"max": str(COMMENT_LIMIT)},
            )
        )
    if errors:
        raise ValidationFailed(errors)
    return Rating(
        overall=overall,  # type: ignore[arg-type]
        reasons=tuple(dict.fromkeys(reasons)),
        comment=comment,
        **dims,
    )


def rectify_days() -> int:
    return int(get_settings().site.get("reviews", {}).get("rectify_days", 5))


# -- rating -------------------------------------------------------------------------


async def handling_unit(case: dict) -> int:
    """The unit that decided (or refused) the case; else the one that accepts it."""
    row = (
        await CaseEvent.select(CaseEvent.unit)
        .where(
            (CaseEvent.case == case["id"])
            & CaseEvent.kind.is_in(list(DECISIVE_EVENTS))
            & CaseEvent.unit.is_not_null()
        )
        .order_by(CaseEvent.seq, ascending=False)
        .first()
    )
    if row:
        return row["unit"]
    return case["accepting_unit"] or case["filed_unit"]


async def online_rated(case_id: int) -> bool:
    return await Review.exists().where(Review.key == f"online:{case_id}")


async def rate_online(case: dict, rating: Rating, *, channel: str) -> int:
    """The applicant's online rating (status page or link). Returns the review id."""
    if case["state"] not in RATABLE_STATES:
        raise NotRatable()
    return await _record(
        case,
        rating,
        key=f"online:{case['id']}",
        kind="online",
        channel=channel,
        unit_id=await handling_unit(case),
    )


@dataclass(frozen=True)
class Visit:
    seq: int
    kind: str
    at: datetime
    unit_id: int
    unit_name: str
    unit_name_en: str
    rated: bool


async def visits_of(case_id: int) -> list[Visit]:
    """The case's on-site visits: filing, handing in a supplement, collecting at the window."""
    events = (
        await CaseEvent.select(
            CaseEvent.seq,
            CaseEvent.kind,
            CaseEvent.at,
            CaseEvent.unit,
            CaseEvent.unit.name,
            CaseEvent.unit.name_en,
            CaseEvent.payload,
        )
        .where(
            (CaseEvent.case == case_id)
            & CaseEvent.kind.is_in(["submit", "supply", "deliver"])
            & CaseEvent.unit.is_not_null()
        )
        .output(load_json=True)
        .order_by(CaseEvent.seq)
    )
    rated = {
        row["visit_seq"]
        for row in await Review.select(Review.visit_seq).where(
            (Review.case == case_id) & (Review.kind == "site")
        )
    }
    visits = []
    for event in events:
        payload = event["payload"] if isinstance(event["payload"], dict) else {}
        if event["kind"] == "deliver" and payload.get("method") != "window":
            continue  # posted or electronic: nobody came
        visits.append(
            Visit(
                seq=event["seq"],
                kind=event["kind"],
                at=event["at"],
                unit_id=event["unit"],
                unit_name=event["unit.name"],
                unit_name_en=event["unit.name_en"] or "",
                rated=event["seq"] in rated,
            )
        )
    return visits


async def rate_visit(principal: Principal, case_id: int, seq: int, rating: Rating) -> int:
    """A rating given on the tablet of the unit the resident just visited."""
    case = await case_access.visible_case(principal, case_id, write=True)
    visit = next((v for v in await visits_of(case_id) if v.seq == seq), None)
    if visit is None:
        raise VisitNotFound()
    if not any(m.unit_id == visit.unit_id for m in principal.writable_memberships):
        raise PermissionDenied()
    return await _record(
        case,
        rating,
        key=f"site:{case_id}:{seq}",
        kind="site",
        channel="tablet",
        unit_id=visit.unit_id,
        staff_id=principal.staff_id,
        visit_seq=seq,
    )


async def _record(
    case: dict,
    rating: Rating,
    *,
    key: str,
    kind: str,
    channel: str,
    unit_id: int,
    staff_id: int | None = None,
    visit_seq: int | None = None,
) -> int:
    now = timing.utcnow()
    async with transaction():
        inserted = (
            await Review.insert(
                Review(
                    key=key,
                    case=case["id"],
                    kind=kind,
                    channel=channel,
                    visit_seq=visit_seq,
                    overall=rating.overall,
                    efficiency=rating.efficiency,
                    guide=rating.guide,
                    convenience=rating.convenience,
                    attitude=rating.attitude,
                    reasons=list(rating.reasons),
                    comment=rating.comment,
                    unit=unit_id,
                    staff=staff_id,
                    created_at=now,
                )
            )
            .on_conflict(target=Review.key, action="DO NOTHING")
            .returning(Review.id)
        )
        if not inserted:
            raise AlreadyReviewed()
        review_id = inserted[0]["id"]
        if rating.bad:
            await _open_rectification(review_id, unit_id, case["scope_path"], now)
        await count_case(case["id"], force=True)
    return review_id


async def _open_rectification(review_id: int, unit_id: int, scope_path: str, now: datetime) -> int:
    calendar = await site_calendar()
    due = calendar.add_working_days(calendar.local_date(now), rectify_days())
    row = (
        await Rectification.insert(
            Rectification(
                review=review_id,
                unit=unit_id,
                scope_path=scope_path,
                state="open",
                opened_at=now,
                due_on=due,
            )
        ).returning(Rectification.id)
    )[0]
    await ReviewAction.insert(
        ReviewAction(rectification=row["id"], at=now, action="opened", staff_name="")
    )
    return row["id"]


# -- following up bad reviews -------------------------------------------------------


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


async def record_callback(
    principal: Principal, rect_id: int, *, reached: bool, satisfied: bool | None, summary: str
) -> None:
    rect = await rectification(principal, rect_id)
    if not works_on(principal, rect):
        raise PermissionDenied()
    summary = (summary or "").strip()[:TEXT_LIMIT]
    if not summary:
        raise TextRequired()
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
    text = (text or "").strip()[:TEXT_LIMIT]
    if not text:
        raise TextRequired()
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
    reason = (reason or "").strip()[:TEXT_LIMIT]
    if not reason:
        raise TextRequired()
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
    note = (note or "").strip()[:TEXT_LIMIT]
    if not note:
        raise TextRequired()
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


async def case_for_review(case_id: int) -> dict:
    row = await Case.select().where(Case.id == case_id).first()
    if row is None:
        raise NotFound()
    return row
