"""Recording a rating (好差评): online once per case, on site once per visit.

A case may be rated once online — on the status page, or through the link
in the message that tells the applicant the result is ready — and once per
on-site visit, on the tablet of the unit visited (the agent's or the
window's), right after the visit. A rating below "basically satisfied"
opens a rectification (:mod:`core.reviews.rectification`) at the unit that
handled the case (or the visit), due within the site's time limit in
working days (``[reviews] rectify_days``, default 5).

The review, its rectification and the dashboards' counts
(:func:`core.reports.counting.count_case`) commit in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.cases import access as case_access
from core.cases import timing
from core.cases.tables import CaseEvent
from core.catalog.forms import FieldError
from core.db import transaction
from core.deadlines.site_calendar import site_calendar
from core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed
from core.i18n import N_
from core.reports.counting import count_case
from core.reviews.levels import BAD_BELOW, DIMENSIONS, LEVELS, REASONS
from core.reviews.tables import Rectification, Review, ReviewAction
from core.settings import get_settings
from core.tenancy.scope import Principal

# A case can be rated online once the applicant has an answer.
RATABLE_STATES = frozenset({"approved", "issued", "delivered", "closed", "denied", "refused"})
DECISIVE_EVENTS = ("approve", "deny", "refuse")
COMMENT_LIMIT = 500


class AlreadyReviewed(TongbanError):
    status_code = 409
    message = N_("This has already been rated. Thank you for your review.")


class NotRatable(TongbanError):
    status_code = 409
    message = N_("This case cannot be rated yet: it is still being handled.")


class VisitNotFound(NotFound):
    message = N_("No such visit to rate.")


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
