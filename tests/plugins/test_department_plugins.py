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


@pytest.mark.parametrize("name", PLUGINS)
def test_each_plugin_is_self_contained(name):
    folder = ROOT / name
    assert (folder / "README.md").read_text(encoding="utf-8").strip()
    assert (folder / "locale/zh_CN/LC_MESSAGES/messages.po").exists()
    assert (Path(__file__).parent / name).is_dir()
    for toml in (folder / "items").glob("*.toml"):
        tomllib.loads(toml.read_text(encoding="utf-8"))  # every guide parses on its own
