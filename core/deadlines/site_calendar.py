"""The site's working-day calendar: the library's schedule, site.toml, then the admin's days.

Three layers, later ones winning: the official schedule carried by the
``holidays`` library, the deployment's ``[calendar.overrides]`` in
``site.toml``, and the days a city admin sets in the admin console (stored
in :class:`~core.deadlines.tables.CalendarOverride`), because the State
Council publishes next year's schedule in November, after the site went live.

Every process caches one :class:`WorkingCalendar` and rebuilds it when the
change log has grown (one indexed ``MAX(id)`` per call), so an override set
in the admin console is seen by every app process and worker at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from core.db import transaction
from core.deadlines.calendar import DayKind, DayOverride, WorkingCalendar, parse_overrides
from core.deadlines.lights import DEFAULT_YELLOW_SHARE, validate_yellow_share
from core.deadlines.tables import CalendarChange, CalendarOverride
from core.errors import PermissionDenied, TongbanError
from core.i18n import N_
from core.settings import get_settings

_cache: dict[str, object] = {}


class CalendarInputError(TongbanError):
    status_code = 422
    message = N_("This day cannot be set: %(reason)s")
    translate_params = ("reason",)


@lru_cache(maxsize=1)
def toml_overrides() -> dict[dt.date, DayOverride]:
    """``[calendar.overrides]`` from site.toml; a typo stops start-up with the key named."""
    raw = get_settings().site.get("calendar", {}).get("overrides", {})
    return parse_overrides(raw)


@lru_cache(maxsize=1)
def yellow_share() -> float:
    """``[deadlines] yellow_share`` from site.toml (0.8 unless the site says otherwise)."""
    value = get_settings().site.get("deadlines", {}).get("yellow_share", DEFAULT_YELLOW_SHARE)
    return validate_yellow_share(float(value))


def invalidate() -> None:
    """Forget the cached calendar (after site.toml's overrides were re-read)."""
    _cache.clear()
    toml_overrides.cache_clear()
    yellow_share.cache_clear()


async def _revision() -> int:
    row = (
        await CalendarChange.select(CalendarChange.id)
        .order_by(CalendarChange.id, ascending=False)
        .first()
    )
    return row["id"] if row else 0


async def site_calendar() -> WorkingCalendar:
    """The calendar every deadline of this site is counted on."""
    revision = await _revision()
    if _cache.get("revision") != revision or "calendar" not in _cache:
        overrides = dict(toml_overrides())
        for row in await CalendarOverride.select(
            CalendarOverride.day, CalendarOverride.kind, CalendarOverride.name
        ):
            overrides[row["day"]] = DayOverride(row["kind"], row["name"] or None)
        _cache["calendar"] = WorkingCalendar(overrides, timezone=get_settings().timezone)
        _cache["revision"] = revision
    return _cache["calendar"]  # type: ignore[return-value]


@dataclass(frozen=True)
class OverrideView:
    day: dt.date
    kind: str
    name: str
    source: str  # "site" (site.toml) or "admin"
    changed_by: str = ""
    changed_at: dt.datetime | None = None


async def list_overrides(year: int) -> list[OverrideView]:
    """Every override of ``year``, the admin's replacing site.toml's for the same day."""
    views = {
        day: OverrideView(day, o.kind, o.name or "", "site")
        for day, o in toml_overrides().items()
        if day.year == year
    }
    rows = await CalendarOverride.select(
        CalendarOverride.day,
        CalendarOverride.kind,
        CalendarOverride.name,
        CalendarOverride.changed_at,
        CalendarOverride.changed_by.display_name,
    ).where(
        (CalendarOverride.day >= dt.date(year, 1, 1))
        & (CalendarOverride.day <= dt.date(year, 12, 31))
    )
    for row in rows:
        views[row["day"]] = OverrideView(
            row["day"],
            row["kind"],
            row["name"],
            "admin",
            row["changed_by.display_name"] or "",
            row["changed_at"],
        )
    return [views[day] for day in sorted(views)]


def _check_admin(principal) -> None:
    if principal is not None and not principal.has_role("city_admin"):
        raise PermissionDenied()


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        raise CalendarInputError(reason=N_("the date must look like 2027-02-06")) from None


async def set_override(principal, day: dt.date, kind: str, name: str = "") -> None:
    """Make ``day`` a working day or a holiday for this site (a city admin's decision).

    The change and the message that recomputes open cases' deadlines commit
    together; ``principal`` None means the system (a script, a test).
    """
    from core.jobs import outbox

    _check_admin(principal)
    if kind not in ("workday", "holiday"):
        raise CalendarInputError(reason=N_("choose a working day or a holiday"))
    kind_: DayKind = kind  # type: ignore[assignment]
    name = name.strip()[:64]
    staff_id = principal.staff_id if principal else None
    async with transaction():
        existing = (
            await CalendarOverride.select(CalendarOverride.id)
            .where(CalendarOverride.day == day)
            .first()
        )
        values = {"kind": kind_, "name": name, "changed_by": staff_id}
        if existing:
            await CalendarOverride.update(
                {
                    CalendarOverride.kind: kind_,
                    CalendarOverride.name: name,
                    CalendarOverride.changed_by: staff_id,
                    CalendarOverride.changed_at: dt.datetime.now(dt.UTC),
                }
            ).where(CalendarOverride.id == existing["id"])
        else:
            await CalendarOverride.insert(CalendarOverride(day=day, **values))
        await _audit(principal, day, "set", kind_, name)
        await outbox.enqueue("recompute_deadlines")


async def remove_override(principal, day: dt.date) -> bool:
    """Drop the admin's override of ``day``; the library (or site.toml) applies again."""
    from core.jobs import outbox

    _check_admin(principal)
    async with transaction():
        gone = (
            await CalendarOverride.delete()
            .where(CalendarOverride.day == day)
            .returning(CalendarOverride.id)
        )
        if not gone:
            return False
        await _audit(principal, day, "remove", "", "")
        await outbox.enqueue("recompute_deadlines")
    return True


async def _audit(principal, day: dt.date, action: str, kind: str, name: str) -> None:
    await CalendarChange.insert(
        CalendarChange(
            day=day,
            action=action,
            kind=kind,
            name=name,
            changed_by=principal.staff_id if principal else None,
            changed_by_name=principal.display_name if principal else "system",
        )
    )
