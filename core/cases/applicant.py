"""The applicant section every filing starts with (the item's own form follows)."""

from __future__ import annotations

from core.catalog.forms import load_form

APPLICANT_FORM = load_form(
    {
        "fields": [
            {
                "name": "name",
                "type": "text",
                "label": "申请人姓名",
                "label_en": "Applicant's name",
                "required": True,
                "max_length": 30,
            },
            {
                "name": "id_number",
                "type": "id_number",
                "label": "公民身份号码",
                "label_en": "Citizen ID number",
                "required": True,
            },
            {
                "name": "phone",
                "type": "mobile",
                "label": "联系电话",
                "label_en": "Mobile phone",
                "required": True,
            },
        ]
    }
)
