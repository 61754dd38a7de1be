"""`tongban plugins check` prints every problem of a broken plugin, each with where it is;
`tongban plugins list` shows what is installed; `tongban plugins new` refuses bad names.

The plugins sit on a real entry point (a package and its dist-info on the path).
One test runs the real command in a fresh process — a plugin that cannot even be
imported must not stop `tongban plugins` from diagnosing it; the others invoke
the same click commands in this process, which is much quicker."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.catalog.commands import plugins

ROOT = Path(__file__).resolve().parents[2]
PENSION = ROOT / "plugins/social_security/items/pension_enrolment.toml"


def install_fake(tmp_path: Path, name: str, source: str) -> dict:
    """A plugin on an entry point, without pip: a package plus its dist-info on PYTHONPATH."""
    package = tmp_path / f"{name}_pkg"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(source))
    dist = tmp_path / f"{name}_pkg-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-pkg\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[tongban.plugins]\n{name} = {name}_pkg\n")
    return {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "TONGBAN_VAR_DIR": str(tmp_path / "var"),
    }


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    """Make packages written to ``tmp_path`` (with their dist-info) discoverable here."""
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    yield
    importlib.invalidate_caches()


def command(*args: str):
    return CliRunner().invoke(plugins, list(args))


def tongban(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def broken_items() -> list[dict]:
    pension = tomllib.loads(PENSION.read_text(encoding="utf-8"))
    colour = pension | {"code": "990000000101"}
    colour["form"] = {"fields": [{"name": "paint", "type": "colour", "label": "颜色"}]}
    lazy = pension | {
        "code": "990000000102",
        "visits": 1,
        "visit_reason": "",
        "fees": [{"name": "工本费", "amount": "10"}],
    }
    lost = pension | {"code": "990000000103"}
    lost["workflow"] = {"steps": [{**s, "role": "wizard"} for s in pension["workflow"]["steps"]]}
    return [colour, lazy, lost, pension | {"code": "000115002000"}]


def test_check_prints_every_problem_with_where_it_is(tmp_path, on_path):
    install_fake(
        tmp_path,
        "broken",
        f"""
        from pathlib import Path
        from litestar import get
        from core import hookimpl

        @get("/broken-page")
        async def page() -> str:
            return "x"

        @hookimpl
        def tongban_items():
            return {broken_items()!r}

        @hookimpl
        def tongban_route_handlers():
            return [page]

        @hookimpl
        def tongban_static_dirs():
            return [Path("/nonexistent/static")]
        """,
    )
    result = command("check", "broken")
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    expected = [
        "broken: item 990000000101: form.fields[0].type: unknown field type 'colour'",
        "broken: item 990000000102: visit_reason: an item needing on-site visits must state why",
        "broken: item 990000000102: fees[0].legal_basis: a fee needs its legal basis",
        "broken: item 990000000103: workflow.steps[0] (accept).role: unknown role 'wizard'",
        "broken: tongban_route_handlers: page is mounted at '/broken-page'; "
        "a plugin's routes must live under /p/broken/",
        "broken: tongban_static_dirs: static folder '/nonexistent/static' does not exist",
    ]
    for line in expected:
        assert line in lines, f"missing: {line}\n{result.output}"
    duplicate = [line for line in lines if "000115002000" in line]
    assert len(duplicate) == 1 and "duplicate item code" in duplicate[0], result.output
    assert "social_security" in duplicate[0]  # whichever loaded first, both are named
    assert lines[-1] == "8 problem(s) in broken"  # the two workflow steps each name the role


def test_the_command_diagnoses_a_plugin_that_cannot_be_imported(tmp_path):
    env = install_fake(tmp_path, "typo", "from core import hookimpl\nimport no_such_module\n")
    check = tongban("plugins", "check", env=env)  # start-up itself would refuse: see main()
    assert check.returncode == 1, check.stderr
    assert "typo: import: cannot be imported: ModuleNotFoundError" in check.stdout
    assert "Traceback" not in check.stderr


def test_list_shows_installed_plugins_their_hooks_and_items(tmp_path, on_path):
    install_fake(tmp_path, "typo2", "from core import hookimpl\nimport no_such_module\n")
    listing = command("list")
    assert listing.exit_code == 0, listing.output
    assert "typo2" in listing.output and "NOT LOADED" in listing.output
    assert "social_security" in listing.output and "000115002000" in listing.output


def test_check_of_a_healthy_plugin_and_of_an_unknown_name(tmp_path, on_path):
    install_fake(tmp_path, "quiet", "from core import hookimpl\n")
    ok = command("check", "quiet")
    assert ok.exit_code == 0 and ok.output.strip() == "ok: quiet"
    unknown = command("check", "nobody")
    assert unknown.exit_code == 2 and "no plugin named 'nobody'" in unknown.output


def test_new_refuses_bad_names_and_existing_folders(tmp_path):
    for bad in ("Forestry", "1st", "a", "x__y", "social_security", "rm -rf", "ab_"):
        result = command("new", bad, "--dir", str(tmp_path))
        assert result.exit_code == 2, bad
        assert "cannot create the plugin" in result.output
    assert command("new", "orchard", "--dir", str(tmp_path)).exit_code == 0
    assert (tmp_path / "tongban-orchard" / "tongban_orchard" / "plugin.py").exists()
    again = command("new", "orchard", "--dir", str(tmp_path))
    assert again.exit_code == 2 and "already exists" in again.output


def test_check_names_a_hook_argument_the_spec_does_not_offer(tmp_path, on_path):
    install_fake(
        tmp_path,
        "mismatch",
        """
        from core import hookimpl

        @hookimpl
        def tongban_validate_submission(item, values, ctx):
            return None
        """,
    )
    result = command("check", "mismatch")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == (
        "mismatch: tongban_validate_submission: argument 'ctx' is not one the hook offers "
        "(it offers item, values, context)"
    )


def test_check_warns_of_missing_english_without_failing(tmp_path, on_path):
    pension = tomllib.loads(PENSION.read_text(encoding="utf-8"))
    chinese_only = pension | {"code": "990000000201", "name_en": ""}
    form_material, hardship = chinese_only["materials"][1:3]
    assert form_material["note_en"] and hardship["condition_en"]
    form_material["note_en"] = hardship["condition_en"] = ""
    chinese_only["result"]["validity_en"] = ""
    fields = chinese_only["form"]["fields"] = [
        {"name": "purpose", "type": "text", "label": "用途"},
        {
            "name": "kind",
            "type": "choice",
            "label": "类别",
            "label_en": "Kind",
            "choices": [
                {"value": "a", "label": "甲", "label_en": "A"},
                {"value": "b", "label": "乙"},
            ],
        },
    ]
    assert fields
    install_fake(
        tmp_path,
        "monolingual",
        f"""
        from core import hookimpl

        @hookimpl
        def tongban_items():
            return [{chinese_only!r}]
        """,
    )
    result = command("check", "monolingual")
    assert result.exit_code == 0, result.output  # a warning, not an error
    lines = result.output.splitlines()
    for line in [
        "monolingual: item 990000000201: warning: name_en: no English name",
        "monolingual: item 990000000201: warning: form.fields[0] (purpose).label_en: "
        "no English label",
        "monolingual: item 990000000201: warning: form.fields[1] (kind).choices[1] (b)"
        ".label_en: no English label",
        "monolingual: item 990000000201: warning: materials[1] (enrolment_form).note_en: "
        "no English note",
        "monolingual: item 990000000201: warning: materials[2] (hardship_proof).condition_en: "
        "no English condition",
        "monolingual: item 990000000201: warning: result.validity_en: no English validity",
    ]:
        assert line in lines, f"missing: {line}\n{result.output}"
    assert not any("choices[0]" in line or "fields[1] (kind).label_en" in line for line in lines)
    assert "6 warning(s) (they do not stop Tongban)" in lines
    assert lines[-1] == "ok: monolingual"


CIVIL_AFFAIRS = """
from core import hookimpl
from tests.catalog.civil_affairs_plugin import ITEM, tongban_unit_kinds  # noqa: F401

@hookimpl
def tongban_items():
    return [ITEM | {"code": "990000000302"}]
"""


def test_check_names_the_steps_the_site_tree_cannot_route(tmp_path, on_path, site, monkeypatch):
    install_fake(tmp_path, "civil_affairs_check", CIVIL_AFFAIRS)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = command("check", "civil_affairs_check")
    assert result.exit_code == 0, result.output  # the city may add the units later
    assert (
        "civil_affairs_check: item 990000000302: warning: 步骤“区县民政审批”要交由区县级的民政局"
        "办理，而单位树中没有：此事项在各地都无法提交，直到添加此类单位。"
    ) in result.output.splitlines(), result.output

    monkeypatch.setenv("LANG", "en_US.UTF-8")
    english = command("check", "civil_affairs_check")
    assert (
        "civil_affairs_check: item 990000000302: warning: step “Civil affairs decision” goes "
        "to a Civil affairs bureau at District level, and the site's tree has none: filing "
        "the item is refused everywhere until such a unit is added."
    ) in english.output.splitlines(), english.output
