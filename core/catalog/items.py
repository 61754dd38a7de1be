"""Service item (事项) declarations, following the national catalogue's elements.

Field names follow GB/T 39046-2020's data elements in plain English; a plugin
declares items as TOML (see docs/plugins.md) or builds these structs directly.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Literal

import msgspec

from core.catalog.forms import Form
from core.catalog.workflow import Workflow

ItemType = Literal[
    "licence",  # 行政许可
    "confirmation",  # 行政确认
    "payment",  # 行政给付
    "ruling",  # 行政裁决
    "reward",  # 行政奖励
    "other_administrative",  # 其他行政权力
    "public_service",  # 公共服务
]

MaterialForm = Literal["original", "copy", "original_and_copy", "electronic"]


class Material(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    code: str
    name: str
    name_en: str = ""
    required: bool = True
    condition: str = ""  # when not always required: the condition, in words
    condition_en: str = ""
    form: MaterialForm = "original"
    copies: int = 1
    licence_type: str | None = None  # an e-licence of this type may stand in for it
    note: str = ""
    note_en: str = ""


class Fee(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    name: str
    name_en: str = ""
    amount: Decimal | None = None  # None: computed by the plugin's fee hook
    legal_basis: str = ""


class Result(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    name: str  # licence/certificate name
    name_en: str = ""
    validity: str = ""  # e.g. "长期" or "3 年"
    validity_en: str = ""  # e.g. "Indefinite" or "3 years"
    licence_type: str | None = None  # issued into the e-licence library under this type


class Item(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    code: str  # basic code (基本编码), 12 characters
    implementation_code: str = ""  # 实施编码
    name: str
    name_en: str = ""
    type: ItemType
    department: str  # unit kind of the owning department, e.g. "social_security_office"
    legal_basis: str
    accept_levels: tuple[str, ...]  # levels where it may be accepted or filed by proxy
    instant: bool  # 即办件
    statutory_days: int  # 法定办结时限 (working days)
    committed_days: int  # 承诺办结时限 (working days); 0 = on the spot
    visits: int  # 到现场次数
    visit_reason: str = ""  # why the resident must come, when visits > 0
    visit_reason_en: str = ""
    proxy_allowed: bool = True  # an agent may file it for a resident
    online_allowed: bool = False  # a resident may file it online
    online_depth: int = 1  # 1 information … 4 fully online (全程网办)
    postal_delivery: bool = False  # results can be posted / applications accepted by post
    fees: tuple[Fee, ...] = ()
    materials: tuple[Material, ...] = ()
    result: Result | None = None
    excluded_procedures: tuple[str, ...] = ()  # 特别程序 outside the time limit
    scope: str = "city"  # 通办范围: level within which it can be handled anywhere
    keywords: tuple[str, ...] = ()
    summary: str = ""
    summary_en: str = ""
    form: Form
    workflow: Workflow

    def fingerprint(self) -> str:
        """A stable hash of the declaration: a new one means a new item version."""
        return hashlib.sha256(msgspec.json.encode(self, order="sorted")).hexdigest()

    def material(self, code: str) -> Material | None:
        return next((m for m in self.materials if m.code == code), None)


def item_from_data(data: dict) -> Item:
    return msgspec.convert(data, Item, strict=False)


def item_from_json(raw: bytes) -> Item:
    return msgspec.json.decode(raw, type=Item, strict=False)
