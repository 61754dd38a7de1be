"""Layout of the no-criminal-record certificate (无犯罪记录证明) e-licence.

The wording follows the template annexed to 《公安机关办理犯罪记录查询工作规定》:
the certificate states that a search of the national criminal record
database found no record for the person, for the stated purpose. Rows are
what the QR code vouches for; the ID number is shown masked.
"""

from __future__ import annotations

from core.api import site_today


def _label(item, field_name: str, value: str) -> str:
    field = next(f for f in item.form.fields if f.name == field_name)
    return next((c.label for c in field.choices if c.value == value), value)


def no_criminal_record_certificate(item, case: dict, values: dict, holder) -> dict:
    number = f"WFZ-{case['tracking_code']}"
    purpose = _label(item, "purpose", values["purpose"])
    if values.get("purpose_detail"):
        purpose = f"{purpose}（{values['purpose_detail']}）"
    issued = site_today(case.get("decided_at"))
    return {
        "title": "无犯罪记录证明",
        "number": number,
        "rows": [
            ("证明编号", number),
            ("姓名", holder.name),
            ("公民身份号码", holder.id_number_masked),
            ("用途", purpose),
            ("使用单位", values["receiver"]),
            ("出具日期", issued.isoformat()),
            ("办件编码", case["tracking_code"] or ""),
        ],
        "paragraphs": [
            f"经查询全国违法犯罪人员信息库，截至{issued.year}年{issued.month}月{issued.day}日，"
            f"未发现{holder.name}有犯罪记录。",
            "本证明仅证明被查询人在查询时点的犯罪记录情况，仅限于所列用途使用，"
            "可通过验证码或二维码核验真伪。",
        ],
    }
