"""The payment deadline of a result held for its fees (缴款期限), as the site sets it.

``sites/<site>/site.toml``::

    [payments]
    pay_within_days = 15     # natural days from the day the payment notice is issued
    remind_days_before = 3   # the applicant is reminded this many days before (0: no reminder)

The deadline is fixed when the result is held (it is written into the
``issue_held`` event, like the date printed on a 缴款通知书), so changing the
option later moves only the deadlines of cases held from then on. The fees
may be paid up to and including that day, site time; after it the case lapses
(see :mod:`core.payments.lapse`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from core.cases.flow import HELD
from core.cases.tables import CaseEvent
from core.settings import get_settings, site_today

DEFAULT_PAY_WITHIN_DAYS = 15
DEFAULT_REMIND_DAYS_BEFORE = 3


class SiteOptionInvalid(ValueError):
    """A ``[payments]`` option of site.toml that makes no sense; start-up stops with it."""


@dataclass(frozen=True)
class PaymentTerms:
    pay_within_days: int = DEFAULT_PAY_WITHIN_DAYS
    remind_days_before: int = DEFAULT_REMIND_DAYS_BEFORE

    def deadline(self, held_on: date) -> date:
        """The last day to pay for a result held on ``held_on``."""
        return held_on + timedelta(days=self.pay_within_days)

    def remind_on(self, pay_by: date) -> date | None:
        """The day the reminder is due, or None when the site sends none."""
        if self.remind_days_before <= 0:
            return None
        return pay_by - timedelta(days=self.remind_days_before)


def _whole(raw: dict, name: str, default: int) -> int:
    value = raw.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise SiteOptionInvalid(
            f"site.toml [payments] {name} = {value!r}: a whole number of days is needed"
        )
    return value


def payment_terms() -> PaymentTerms:
    """The site's ``[payments]`` options (defaults: 15 days to pay, reminded 3 days before)."""
    raw = get_settings().site.get("payments", {})
    if not isinstance(raw, dict):
        raise SiteOptionInvalid("site.toml [payments] must be a table")
    within = _whole(raw, "pay_within_days", DEFAULT_PAY_WITHIN_DAYS)
    before = _whole(raw, "remind_days_before", DEFAULT_REMIND_DAYS_BEFORE)
    if not 1 <= within <= 366:
        raise SiteOptionInvalid(
            f"site.toml [payments] pay_within_days = {within}: between 1 and 366 days"
        )
    if not 0 <= before < within:
        raise SiteOptionInvalid(
            f"site.toml [payments] remind_days_before = {before}: at least 0 and fewer than "
            f"pay_within_days ({within}), so the reminder comes after the payment notice"
        )
    return PaymentTerms(pay_within_days=within, remind_days_before=before)


async def pay_by(case: dict, hold: dict | None) -> date | None:
    """The last day the fees of a case held for payment may be paid; None when not so held.

    ``hold`` is what :func:`core.cases.issuing.held` returns for the case. A
    hold recorded before deadlines existed carries none: its deadline counts
    from the day it was recorded.
    """
    if not hold or hold.get("awaiting") != "payment":
        return None
    if hold.get("pay_by"):
        return date.fromisoformat(str(hold["pay_by"]))
    row = (
        await CaseEvent.select(CaseEvent.at)
        .where((CaseEvent.case == case["id"]) & (CaseEvent.kind == HELD))
        .order_by(CaseEvent.seq, ascending=False)
        .first()
    )
    return payment_terms().deadline(site_today(row["at"])) if row else None
