"""A plugin's declarations are checked when it loads; a broken one stops start-up
with a message naming the plugin and what is wrong."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from core import hookimpl
from core.catalog.registry import build_catalog
from core.plugins import PluginError, make_plugin_manager

PENSION_TOML = Path(__file__).parent.parent / "plugins/social_security/items/pension_enrolment.toml"


def pension() -> dict:
    return tomllib.loads(PENSION_TOML.read_text(encoding="utf-8"))


def plugin_returning(*items: dict):
    class Plugin:
        @staticmethod
        @hookimpl
        def tongban_items():
            return list(items)

    return Plugin


def test_in_tree_plugins_load_through_entry_points():
    pm = make_plugin_manager()
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"social_security", "tax_joint_office", "public_security", "bank_outlets"} <= names
    catalog = build_catalog(pm)
    assert catalog.item_plugin["000115002000"] == "social_security"


def test_unknown_field_type_names_the_plugin_and_the_field():
    item = pension() | {"code": "990000000001"}
    item["form"]["fields"][0]["type"] = "colour"
    pm = make_plugin_manager(extra=[("paint_shop", plugin_returning(item))])
    with pytest.raises(PluginError) as raised:
        build_catalog(pm)
    message = str(raised.value)
    assert "paint_shop" in message
    assert "990000000001" in message
    assert "colour" in message and "fields" in message


def test_duplicate_item_code_names_both_plugins():
    pm = make_plugin_manager(extra=[("copycat", plugin_returning(pension()))])
    with pytest.raises(PluginError) as raised:
        build_catalog(pm)
    assert "copycat" in str(raised.value)
    assert "duplicate item code" in str(raised.value)
    assert "social_security" in str(raised.value)


def test_workflow_with_unknown_role_is_refused():
    item = pension() | {"code": "990000000002"}
    item["workflow"]["steps"][1]["role"] = "wizard"
    pm = make_plugin_manager(extra=[("magic", plugin_returning(item))])
    with pytest.raises(PluginError, match=r"magic.*unknown role 'wizard'"):
        build_catalog(pm)


def test_catalogue_quality_rule_is_checked():
    item = pension() | {"code": "990000000003", "visits": 1, "visit_reason": ""}
    pm = make_plugin_manager(extra=[("lazy", plugin_returning(item))])
    with pytest.raises(PluginError, match=r"lazy.*visit_reason"):
        build_catalog(pm)


def test_misspelt_hook_fails_loudly():
    class Typo:
        @staticmethod
        @hookimpl
        def tongban_itemz():
            return []

    with pytest.raises(PluginError, match="tongban_itemz"):
        make_plugin_manager(extra=[("typo", Typo)])


def test_the_command_refuses_to_start_with_a_broken_plugin(tmp_path):
    """The real start-up path: a broken plugin installed through the entry point group."""
    package = tmp_path / "broken_plugin"
    package.mkdir()
    item = pension() | {"code": "990000000004"}
    item["form"]["fields"][0]["type"] = "colour"
    (package / "__init__.py").write_text(
        textwrap.dedent(
            f"""
            from core import hookimpl

            @hookimpl
            def tongban_items():
                return [{item!r}]
            """
        )
    )
    result = _serve_with_installed(tmp_path, "broken")
    assert result.returncode != 0
    assert "plugin 'broken'" in result.stderr
    assert "colour" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_hook_argument_the_spec_does_not_offer_names_the_plugin_and_the_choices():
    """A hook implementation taking ``ctx`` where the spec says ``context`` stops start-up
    as a PluginError (what `tongban serve` prints without a traceback), naming the
    plugin, the hook, the unknown argument and the arguments the hook does offer."""

    class Mismatch:
        @staticmethod
        @hookimpl
        def tongban_validate_submission(item, values, ctx):
            return None

    with pytest.raises(PluginError) as raised:
        make_plugin_manager(extra=[("civil", Mismatch)])
    assert raised.value.plugin == "civil"
    assert raised.value.problem == (
        "tongban_validate_submission: argument 'ctx' is not one the hook offers "
        "(it offers item, values, context)"
    )


def test_misspelt_hook_names_the_plugin():
    class Typo:
        @staticmethod
        @hookimpl
        def tongban_itemz():
            return []

    with pytest.raises(PluginError) as raised:
        make_plugin_manager(extra=[("typo", Typo)])
    assert raised.value.plugin == "typo"
    assert raised.value.problem == "tongban_itemz is not a Tongban hook (misspelt?)"


def test_serve_refuses_a_hook_signature_mismatch_without_a_traceback(tmp_path):
    package = tmp_path / "mismatch_plugin"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from core import hookimpl\n\n"
        "@hookimpl\n"
        "def tongban_render_document(kind, item, case, values, applicant):\n"
        "    return None\n"
    )
    result = _serve_with_installed(tmp_path, "mismatch")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert (
        "Tongban cannot start: plugin 'mismatch': tongban_render_document: argument "
        "'applicant' is not one the hook offers (it offers kind, item, case, values, holder)"
    ) in result.stderr


def _serve_with_installed(tmp_path, name: str) -> subprocess.CompletedProcess:
    """``tongban serve`` in a fresh process, with the package ``<name>_plugin`` in
    ``tmp_path`` installed through the entry point group as plugin ``name``."""
    dist = tmp_path / f"{name}_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[tongban.plugins]\n{name} = {name}_plugin\n")
    env = {
        **__import__("os").environ,
        "PYTHONPATH": str(tmp_path),
        "TONGBAN_VAR_DIR": str(tmp_path / "var"),
    }
    return subprocess.run(
        [sys.executable, "-c", "from core.cli import main; main()", "serve", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
