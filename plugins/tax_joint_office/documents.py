"""Layouts of the documents the tax office signs: the tax payment certificate e-licence.

Returned to the core's signing module through ``tongban_render_document``;
the rows are what the document's QR code vouches for, so they hold what a
bank or consulate needs to check and nothing more (the ID number masked).
"""

from __future__ import annotations

from core.api import site_today


def _choice_labels(item, field_name: str, selected) -> str:
    field = next(f for f in item.form.fields if f.name == field_name)
    labels = {c.value: c.label for c in field.choices}
    chosen = selected if isinstance(selected, list) else [selected]
    return "、".join(labels.get(value, value) for value in chosen)


def tax_payment_certificate(item, case: dict, values: dict, holder) -> dict:
    number = f"WSZM-{case['tracking_code']}"
    purpose = _choice_labels(item, "purpose", values["purpose"])
    if values.get("purpose_detail"):
        purpose = f"{purpose}（{values['purpose_detail']}）"
    return {
        "title": "中华人民共和国税收完税证明",
        "number": number,
        "rows": [
            ("证明编号", number),
            ("纳税人名称", holder.name),
            ("纳税人识别号", holder.id_number_masked),
            ("税种", _choice_labels(item, "tax_types", values["tax_types"])),
            ("入库日期", f"{values['period_from']} 至 {values['period_to']}"),
            ("用途", purpose),
            ("填发日期", site_today(case.get("decided_at")).isoformat()),
            ("办件编码", case["tracking_code"] or ""),
        ],
        "paragraphs": [
            "兹证明上述纳税人在所列入库日期内已缴纳所列税种税款，税款明细以税务机关征管系统记录为准。",
            "本证明不作纳税人记账、抵扣凭证。",
        ],
    }
