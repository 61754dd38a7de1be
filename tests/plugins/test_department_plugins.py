"""The four department plugins as a whole: the contract check, their items, their catalogues."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from core.catalog.contract import check_plugins
from core.catalog.registry import get_catalog

PLUGINS = ("tax_joint_office", "public_security", "social_security", "bank_outlets")
ROOT = Path(__file__).resolve().parents[2] / "plugins"


@pytest.mark.parametrize("name", PLUGINS)
def test_each_plugin_passes_tongban_plugins_check(name):
    assert check_plugins().for_plugin(name) == []


@pytest.mark.parametrize("name", PLUGINS)
def test_each_plugin_offers_at_least_four_complete_guides(name):
    catalog = get_catalog()
    items = [item for code, item in catalog.items.items() if catalog.item_plugin[code] == name]
    assert len(items) >= 4
    for item in items:
        where = f"{name} {item.code}"
        assert item.name_en and item.summary and item.summary_en, where
        assert "《" in item.legal_basis or "〔" in item.legal_basis, where
        assert item.materials and all(m.name_en and m.copies >= 1 for m in item.materials), where
        assert all(m.condition for m in item.materials if not m.required), where
        assert item.result is not None and item.result.name_en, where
        assert item.statutory_days >= item.committed_days, where
        assert all(f.legal_basis for f in item.fees), where
        assert all(f.label_en for f in item.form.fields), where
        assert all(s.name_en for s in item.workflow.steps), where
        # What the agent reads beside a material, the guide's conditions, the reason to come
        # in and the result's validity: in English too, or the English pages show Chinese.
        assert all(m.note_en for m in item.materials if m.note), where
        assert all(m.condition_en for m in item.materials if m.condition), where
        assert item.visit_reason_en or not item.visit_reason, where
        assert item.result.validity_en or not item.result.validity, where


@pytest.mark.parametrize("name", PLUGINS)
def test_each_plugin_is_self_contained(name):
    folder = ROOT / name
    assert (folder / "README.md").read_text(encoding="utf-8").strip()
    assert (folder / "locale/zh_CN/LC_MESSAGES/messages.po").exists()
    assert (Path(__file__).parent / name).is_dir()
    for toml in (folder / "items").glob("*.toml"):
        tomllib.loads(toml.read_text(encoding="utf-8"))  # every guide parses on its own


# 17:30 UTC on 7 December is already 8 December in 綦江 (UTC+8), still the 7th in London.
DECIDED_AT = "2026-12-07T17:30:00+00:00"


@pytest.mark.parametrize(
    ("zone", "day"), [("Asia/Shanghai", "2026-12-08"), ("Europe/London", "2026-12-07")]
)
def test_documents_are_dated_in_the_sites_time_zone(monkeypatch, zone, day):
    """A certificate decided late in the evening UTC carries the site's local date,
    whatever zone the site names: the plugins do not assume Beijing time."""
    import dataclasses
    from types import SimpleNamespace

    import core.settings
    from plugins.public_security.documents import no_criminal_record_certificate
    from plugins.social_security.documents import social_insurance_record

    site = dataclasses.replace(core.settings.get_settings(), timezone=zone)
    monkeypatch.setattr(core.settings, "get_settings", lambda: site)
    catalog = get_catalog()
    holder = SimpleNamespace(name="王秀英", id_number_masked="5002**********1234")
    case = {"tracking_code": "509910261207000013", "decided_at": DECIDED_AT}

    police = no_criminal_record_certificate(
        catalog.items["000112005000"],
        case,
        {"purpose": "employment", "receiver": "綦江区某公司"},
        holder,
    )
    assert ("出具日期", day) in police["rows"]
    year, month, date_ = (int(part) for part in day.split("-"))
    assert f"截至{year}年{month}月{date_}日" in police["paragraphs"][0]

    values = {"insurance_types": ["resident_pension"], "period_from": "2020-01-01",
              "period_to": "2025-12-31", "purpose": "house_purchase"}  # fmt: skip
    record = social_insurance_record(catalog.items["000115004000"], case, values, holder)
    assert ("出具日期", day) in record["rows"]
