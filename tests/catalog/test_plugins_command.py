"""`tongban plugins check` prints every problem of a broken plugin, each with where it is;
`tongban plugins list` shows what is installed; `tongban plugins new` refuses bad names.
Run as the real command, in a fresh process, with the plugin on an entry point."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

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


def test_check_prints_every_problem_with_where_it_is(tmp_path):
    env = install_fake(
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
    result = tongban("plugins", "check", "broken", env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
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
        assert line in lines, f"missing: {line}\n{result.stdout}"
    duplicate = [line for line in lines if "000115002000" in line]
    assert len(duplicate) == 1 and "duplicate item code" in duplicate[0], result.stdout
    assert "social_security" in duplicate[0]  # whichever loaded first, both are named
    assert lines[-1] == "8 problem(s) in broken"  # the two workflow steps each name the role
    assert "Traceback" not in result.stderr


def test_check_reports_a_plugin_that_cannot_be_imported_and_list_shows_it(tmp_path):
    env = install_fake(tmp_path, "typo", "from core import hookimpl\nimport no_such_module\n")
    check = tongban("plugins", "check", env=env)
    assert check.returncode == 1
    assert "typo: import: cannot be imported: ModuleNotFoundError" in check.stdout
    listing = tongban("plugins", "list", env=env)
    assert listing.returncode == 0, listing.stderr
    assert "typo" in listing.stdout and "NOT LOADED" in listing.stdout
    assert "social_security" in listing.stdout


def test_check_of_a_healthy_plugin_and_of_an_unknown_name(tmp_path):
    env = install_fake(tmp_path, "quiet", "from core import hookimpl\n")
    ok = tongban("plugins", "check", "quiet", env=env)
    assert ok.returncode == 0 and ok.stdout.strip() == "ok: quiet"
    unknown = tongban("plugins", "check", "nobody", env=env)
    assert unknown.returncode == 2 and "no plugin named 'nobody'" in unknown.stdout


def test_new_refuses_bad_names_and_existing_folders(tmp_path):
    env = {**os.environ, "TONGBAN_VAR_DIR": str(tmp_path / "var")}
    for bad in ("Forestry", "1st", "a", "x__y", "social_security", "rm -rf"):
        result = tongban("plugins", "new", bad, "--dir", str(tmp_path), env=env)
        assert result.returncode == 2, bad
        assert "cannot create the plugin" in result.stderr
    assert tongban("plugins", "new", "orchard", "--dir", str(tmp_path), env=env).returncode == 0
    again = tongban("plugins", "new", "orchard", "--dir", str(tmp_path), env=env)
    assert again.returncode == 2 and "already exists" in again.stderr
