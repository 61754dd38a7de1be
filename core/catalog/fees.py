"""Fee computation: what an application will cost, known before it is filed.

An item's guide declares its fees (:class:`core.catalog.items.Fee`). A fee
with an amount is fixed and the core lists it as is; a fee declared without
one is computed by the owning plugin through the ``tongban_compute_fees``
hook from the cleaned form values — the taxes on a second-hand house sale
depend on the price, the floor area and how long the seller has held it.

:func:`compute_fees` merges both into one :class:`FeeQuote`. The filing
page and the API show it to the agent before submission, and the payments
module records the same computation against the case once it is filed, so
the two cannot disagree: the hook must be a pure function of its arguments.

Amounts are :class:`~decimal.Decimal` yuan with at most two places. A plugin
that raises, returns junk or a negative amount yields
:class:`FeeComputationFailed` (a clear message, nothing recorded), never a
500 and never a wrong amount.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

import msgspec
import pluggy

from core.catalog.items import Item
from core.errors import TongbanError
from core.i18n import N_

log = logging.getLogger("tongban.fees")

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # a trillion yuan: anything above is a bug, not a fee

FeeKind = Literal["fee", "tax"]  # 行政事业性收费 / 税款: they go to different accounts


class FeeLine(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """One amount due. ``code`` is stable within the item ("deed_tax", "fee-0").

    ``basis`` says in words how the amount came about ("计税依据 × 1%",
    "购买满2年，免征"), so the agent can explain it to the resident; a line
    of 0.00 with its basis shows an exemption the resident is entitled to.
    """

    code: str
    name: str
    name_en: str = ""
    amount: Decimal
    kind: FeeKind = "fee"
    legal_basis: str = ""
    payer: str = ""  # who owes it when that is not simply the applicant ("买方")
    payer_en: str = ""
    basis: str = ""
    basis_en: str = ""


class FeeQuote(msgspec.Struct, frozen=True):
    lines: tuple[FeeLine, ...] = ()

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def payable(self) -> bool:
        return self.total > 0


@dataclass(frozen=True)
class FeeContext:
    """What a fee hook may know besides the form values. Read-only."""

    item_code: str
    on: date  # the day the amounts apply: the filing (declaration) date
    filing_unit_code: str = ""


class FeeComputationFailed(TongbanError):
    status_code = 422
    message = N_("The fees for this application could not be computed. Please try again later.")


NO_COMPUTATION = N_("The fee “%(fee)s” could not be computed: no department rule computes it.")


def fixed_lines(item: Item) -> list[FeeLine]:
    """The guide's fees that have an amount, as quote lines."""
    return [
        FeeLine(
            code=f"fee-{index}",
            name=fee.name,
            name_en=fee.name_en,
            amount=_money(fee.amount),
            legal_basis=fee.legal_basis,
        )
        for index, fee in enumerate(item.fees)
        if fee.amount is not None
    ]


def compute_fees(
    item: Item,
    values: Mapping[str, Any],
    context: FeeContext,
    *,
    pm: pluggy.PluginManager | None = None,
) -> FeeQuote:
    """The full quote for ``item`` with these cleaned ``values``.

    Raises :class:`FeeComputationFailed` when a declared computed fee has no
    plugin to compute it, or when a plugin's hook fails.
    """
    if pm is None:
        from core.plugins import get_plugin_manager

        pm = get_plugin_manager()
    lines = fixed_lines(item)
    computed = _hook_lines(pm, item, dict(values), context)
    open_fees = [fee for fee in item.fees if fee.amount is None]
    if open_fees and not computed:
        raise FeeComputationFailed(NO_COMPUTATION, fee=open_fees[0].name)
    lines += computed
    codes = [line.code for line in lines]
    if len(set(codes)) != len(codes):
        log.error("fees of %s: duplicate line codes %s", item.code, codes)
        raise FeeComputationFailed()
    return FeeQuote(lines=tuple(lines))


def _hook_lines(pm, item: Item, values: dict, context: FeeContext) -> list[FeeLine]:
    """Call each implementation on its own, so a failure names its plugin in the log."""
    lines: list[FeeLine] = []
    for impl in reversed(pm.hook.tongban_compute_fees.get_hookimpls()):
        kwargs = {"item": item, "values": values, "context": context}
        try:
            result = impl.function(**{name: kwargs[name] for name in impl.argnames})
            if result is None:
                continue
            for entry in result if isinstance(result, list | tuple) else [result]:
                line = entry if isinstance(entry, FeeLine) else msgspec.convert(entry, FeeLine)
                lines.append(_checked(line))
        except FeeComputationFailed:
            raise
        except Exception:
            log.exception(
                "plugin %r: tongban_compute_fees failed for %s", impl.plugin_name, item.code
            )
            raise FeeComputationFailed() from None
    return lines


def _checked(line: FeeLine) -> FeeLine:
    amount = _money(line.amount)
    if not line.code.strip() or not line.name.strip():
        raise ValueError("a fee line needs a code and a name")
    return msgspec.structs.replace(line, amount=amount)


def _money(value: Any) -> Decimal:
    """Exactly two places, never negative, never absurd; anything else is a plugin bug."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"not an amount: {value!r}") from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT:
        raise ValueError(f"amount out of range: {value!r}")
    if amount != amount.quantize(CENT):
        raise ValueError(f"an amount has at most two decimal places: {value!r}")
    return amount.quantize(CENT)


def to_fen(amount: Decimal) -> int:
    """Yuan → fen (分), the integer unit amounts are stored in."""
    return int((amount * 100).to_integral_value())


def from_fen(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(CENT)
