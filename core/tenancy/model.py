"""Declarations of unit kinds, roles and levels (data, not tables)."""

from __future__ import annotations

import msgspec


class UnitKind(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A kind of node in the unit tree (service centre, tax office, bank outlet …)."""

    key: str
    name: str
    name_en: str = ""
    levels: tuple[str, ...] = ()  # level keys where it may exist; empty means any
    department: bool = False  # a department office: sees only cases routed to it


class Role(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A staff role held through a membership (unit + role)."""

    key: str
    name: str
    name_en: str = ""
    read_only: bool = False
    admin: bool = False  # manages units and staff in its subtree
    root_only: bool = False  # held only at the top unit (it configures the whole site)


class Level(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A tier of the tree. Sites configure these; the default is four tiers."""

    key: str
    name: str
    name_en: str = ""
    depth: int
    unit_kinds: tuple[str, ...] = ()  # kinds allowed here; () = the kinds' own declarations


DEFAULT_LEVELS: tuple[Level, ...] = (
    Level(key="city", name="市", name_en="City", depth=1),
    Level(key="district", name="区县", name_en="District", depth=2),
    Level(key="township", name="乡镇街道", name_en="Township", depth=3),
    Level(key="village", name="村社区代办点", name_en="Village agency point", depth=4),
)
