"""Two test plugins standing in for two departments: one issues an e-licence, one reuses it.

``permit_office`` offers an item whose result is a ``test_permit`` e-licence
(and lays the licence out itself through ``tongban_render_document``);
``trade_office`` offers an item whose material list accepts a
``test_permit`` in place of paper.  Both use only the core's unit kinds and
roles: the township service centre accepts and decides, so the demo's
``clerk`` handles them end to end.
"""

from __future__ import annotations

from contextlib import contextmanager

from core import hookimpl
from core.catalog.registry import get_catalog
from core.plugins import get_plugin_manager

PERMIT_ITEM = "TSTPERMIT001"
TRADE_ITEM = "TSTTRADE0001"
LICENCE_TYPE = "test_permit"


def _item(code: str, name: str, **extra) -> dict:
    return {
        "code": code,
        "name": name,
        "name_en": name,
        "type": "licence",
        "department": "service_centre",
        "legal_basis": "《测试条例》第一条",
        "accept_levels": ["village", "township"],
        "instant": False,
        "statutory_days": 10,
        "committed_days": 5,
        "visits": 0,
        "postal_delivery": True,
        "form": {
            "fields": [{"name": "shop_name", "type": "text", "label": "店铺名称", "required": True}]
        },
        "workflow": {
            "steps": [
                {
                    "id": "accept",
                    "kind": "accept",
                    "name": "受理",
                    "role": "window_clerk",
                    "unit_kind": "service_centre",
                    "level": "township",
                },
                {
                    "id": "decide",
                    "kind": "decide",
                    "name": "审批",
                    "role": "window_clerk",
                    "unit_kind": "service_centre",
                    "level": "township",
                },
            ]
        },
        **extra,
    }


class PermitOffice:
    """Issues the permit as an e-licence, with its own layout."""

    @staticmethod
    @hookimpl
    def tongban_items():
        return [
            _item(
                PERMIT_ITEM,
                "测试经营许可",
                result={"name": "测试经营许可证", "validity": "3 年", "licence_type": LICENCE_TYPE},
                materials=[
                    {"code": "id_card", "name": "居民身份证", "licence_type": "resident_id"}
                ],
            )
        ]

    @staticmethod
    @hookimpl
    def tongban_render_document(kind, item, case, values, holder):
        if kind != "licence" or item.code != PERMIT_ITEM:
            return None
        number = f"CSXK-{case['tracking_code']}"
        return {
            "title": "测试经营许可证",
            "number": number,
            "rows": [
                ("许可证编号", number),
                ("经营者", holder.name),
                ("公民身份号码", holder.id_number_masked),
                ("店铺名称", values["shop_name"]),
            ],
            "paragraphs": ["准予在本镇经营。"],
        }


class TradeOffice:
    """Needs a permit as material: the holder's e-licence may stand in for the paper."""

    @staticmethod
    @hookimpl
    def tongban_items():
        return [
            _item(
                TRADE_ITEM,
                "测试摊位登记",
                materials=[
                    {
                        "code": "permit",
                        "name": "经营许可证",
                        "form": "copy",
                        "licence_type": LICENCE_TYPE,
                    },
                    {"code": "photo", "name": "摊位照片", "form": "electronic"},
                ],
            )
        ]


@contextmanager
def installed():
    """Register both plugins on the process-wide manager for the duration of a test module."""
    pm = get_plugin_manager()
    pm.register(PermitOffice, name="test_permit_office")
    pm.register(TradeOffice, name="test_trade_office")
    get_catalog.cache_clear()
    try:
        yield
    finally:
        pm.unregister(name="test_permit_office")
        pm.unregister(name="test_trade_office")
        get_catalog.cache_clear()
