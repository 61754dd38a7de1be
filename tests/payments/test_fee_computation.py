"""compute_fees: fixed fees from the guide, computed ones from the owning plugin, never a wrong sum."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from core import hookimpl
from core.catalog.fees import FeeComputationFailed, FeeContext, FeeLine, compute_fees
from core.catalog.items import Fee
from core.catalog.registry import get_catalog
from core.plugins import make_plugin_manager

TEMPORARY_ID = "000112001000"
CONTEXT = FeeContext(item_code="x", on=date(2026, 11, 23), filing_unit_code="509910101201")


def _item(fees: tuple[Fee, ...]):
    import msgspec

    return msgspec.structs.replace(get_catalog().items[TEMPORARY_ID], fees=fees)


def _pm(*plugins):
    return make_plugin_manager(only=set(), extra=[(f"p{i}", p) for i, p in enumerate(plugins)])


class Computes:
    def __init__(self, result):
        self.result = result

    @hookimpl
    def tongban_compute_fees(self, item, values, context):
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


def test_fixed_fees_come_from_the_guide():
    quote = compute_fees(get_catalog().items[TEMPORARY_ID], {}, CONTEXT, pm=_pm())
    assert [(line.code, line.name, line.amount) for line in quote.lines] == [
        ("fee-0", "临时居民身份证工本费", Decimal("10.00"))
    ]
    assert quote.total == Decimal("10.00") and quote.payable
    assert "发改价格〔2003〕2322号" in quote.lines[0].legal_basis


def test_a_computed_fee_needs_a_plugin_to_compute_it():
    item = _item((Fee(name="按面积计收的费用", legal_basis="某规定"),))
    with pytest.raises(FeeComputationFailed) as failed:
        compute_fees(item, {}, CONTEXT, pm=_pm())
    assert failed.value.params == {"fee": "按面积计收的费用"}


def test_computed_lines_are_added_to_fixed_ones():
    line = FeeLine(code="area_fee", name="面积费", amount=Decimal("12.30"), legal_basis="某规定")
    item = _item(
        (
            Fee(name="工本费", amount=Decimal(5), legal_basis="某规定"),
            Fee(name="面积费", legal_basis="某规定"),
        )
    )
    quote = compute_fees(item, {}, CONTEXT, pm=_pm(Computes([line])))
    assert [line.code for line in quote.lines] == ["fee-0", "area_fee"]
    assert quote.total == Decimal("17.30")


@pytest.mark.parametrize(
    "bad",
    [
        [{"code": "x", "name": "负数", "amount": "-1"}],
        [{"code": "x", "name": "三位小数", "amount": "1.005"}],
        [{"code": "x", "name": "非数字", "amount": "NaN"}],
        [{"code": "", "name": "无编码", "amount": "1"}],
        [
            {"code": "x", "name": "重复", "amount": "1"},
            {"code": "x", "name": "重复", "amount": "2"},
        ],
        ZeroDivisionError("a bug in the plugin"),
    ],
)
def test_a_plugin_that_fails_or_returns_junk_yields_a_clear_error_not_an_amount(bad):
    item = _item((Fee(name="计算的费用", legal_basis="某规定"),))
    with pytest.raises(FeeComputationFailed) as failed:
        compute_fees(item, {}, CONTEXT, pm=_pm(Computes(bad)))
    assert failed.value.status_code == 422
