"""Layout of the social insurance record (参保证明) e-licence.

Returned through ``tongban_render_document``; the rows are what the QR code
vouches for. The statement is the deciding clerk's: approving the case
confirms, against the centre's records, that the person was insured in the
schemes and period listed.
"""

from __future__ import annotations

from datetime import date

from core.api import site_today


def _labels(item, field_name: str, selected) -> str:
    field = next(f for f in item.form.fields if f.name == field_name)
    labels = {c.value: c.label for c in field.choices}
    chosen = selected if isinstance(selected, list) else [selected]
    return "、".join(labels.get(value, value) for value in chosen)


def _month(value: str) -> str:
    day = date.fromisoformat(str(value))
    return f"{day.year}年{day.month}月"


def social_insurance_record(item, case: dict, values: dict, holder) -> dict:
    number = f"CBZM-{case['tracking_code']}"
    return {
        "title": "社会保险参保缴费记录（参保证明）",
        "number": number,
        "rows": [
            ("证明编号", number),
            ("参保人", holder.name),
            ("公民身份号码", holder.id_number_masked),
            ("险种", _labels(item, "insurance_types", values["insurance_types"])),
            ("查询期间", f"{_month(values['period_from'])}至{_month(values['period_to'])}"),
            ("用途", _labels(item, "purpose", values["purpose"])),
            ("出具日期", site_today(case.get("decided_at")).isoformat()),
            ("办件编码", case["tracking_code"] or ""),
        ],
        "paragraphs": [
            "经核对社会保险经办系统记录，上述参保人在查询期间参加上述险种，缴费明细以经办系统记录为准。",
            "本证明仅用于所列用途，可通过验证码或二维码核验真伪。",
        ],
    }
