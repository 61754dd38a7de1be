"""Payment channels: the ways money reaches the government, provided by plugins.

A channel (a bank's counters, an online gateway) is declared through the
``tongban_payment_channels`` hook. It says who may record money taken through
it — staff holding one of ``roles`` at a unit of one of ``unit_kinds`` — and
what its transaction references look like, so a mistyped reference is caught
at the counter rather than at reconciliation.
"""

from __future__ import annotations

import re
from functools import lru_cache

import msgspec

from core.plugins import PluginError, collect, get_plugin_manager
from core.tenancy.scope import MembershipView, Principal


class PaymentChannel(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    key: str
    name: str
    name_en: str = ""
    unit_kinds: tuple[str, ...]
    roles: tuple[str, ...]
    reference_label: str = "交易流水号"
    reference_label_en: str = "Transaction reference"
    reference_pattern: str = r"[A-Za-z0-9]{8,40}"

    def reference_ok(self, reference: str) -> bool:
        return re.fullmatch(self.reference_pattern, reference) is not None

    def membership_for(self, principal: Principal) -> MembershipView | None:
        """The principal's membership entitled to record payments here, if any."""
        return next(
            (
                m
                for m in principal.memberships
                if m.role in self.roles and m.unit_kind in self.unit_kinds
            ),
            None,
        )


def load_channels(pm) -> dict[str, PaymentChannel]:
    channels: dict[str, PaymentChannel] = {}
    for plugin, entry in collect(pm, "tongban_payment_channels"):
        try:
            channel = (
                entry
                if isinstance(entry, PaymentChannel)
                else msgspec.convert(entry, PaymentChannel)
            )
            re.compile(channel.reference_pattern)
        except (msgspec.ValidationError, re.error) as exc:
            raise PluginError(plugin, f"payment channel: {exc}") from exc
        if channel.key in channels:
            raise PluginError(plugin, f"payment channel {channel.key!r} is already declared")
        if not channel.roles or not channel.unit_kinds:
            raise PluginError(
                plugin, f"payment channel {channel.key!r}: name its roles and unit kinds"
            )
        channels[channel.key] = channel
    return channels


@lru_cache(maxsize=1)
def get_channels() -> dict[str, PaymentChannel]:
    return load_channels(get_plugin_manager())


def channels_for(principal: Principal) -> list[PaymentChannel]:
    """The channels through which this principal may record payments."""
    return [c for c in get_channels().values() if c.membership_for(principal)]
