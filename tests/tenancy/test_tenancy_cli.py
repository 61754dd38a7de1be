"""``tongban units import / export / generate`` from the command line."""

from __future__ import annotations

from click.testing import CliRunner

from core.tenancy.cli import units


def test_generate_check_import_and_export_a_county(tmp_path, catalogue):
    runner = CliRunner()
    county = tmp_path / "county.csv"
    made = runner.invoke(
        units,
        [
            "generate",
            "--size",
            "county",
            "--code",
            "509840000000",
            "--parent",
            "509900000000",
            str(county),
        ],
    )
    assert made.exit_code == 0, made.output
    assert "319 units written" in made.output

    checked = runner.invoke(units, ["import", "--dry-run", str(county)])
    assert checked.exit_code == 0, checked.output
    assert "319 would be created" in checked.output

    imported = runner.invoke(units, ["import", str(county)])
    assert imported.exit_code == 0, imported.output
    assert "319 units created" in imported.output

    exported = runner.invoke(units, ["export", "--under", "509801000000"])
    assert exported.exit_code == 0, exported.output
    lines = exported.output.splitlines()
    assert lines[0] == "code,name,name_en,kind,level,parent_code,active"
    assert len(lines) == 1 + 319 and lines[1].startswith("509801000000,")


def test_a_bad_file_lists_every_error_and_imports_nothing(tmp_path, catalogue):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,name_en,kind,level,parent_code\n"
        "509910199000,坏镇,,township,township,509910000000\n"
        "509910199201,,,village,village,509910199000\n"
        "509910199202,村,,town,village,509910199000\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(units, ["import", str(bad)])
    assert result.exit_code == 1
    assert "bad.csv:3: name: required" in result.output
    assert "bad.csv:4: kind: unknown unit kind" in result.output
    assert "nothing imported" in result.output
    export = CliRunner().invoke(units, ["export", "--under", "509910199000"])
    assert export.exit_code == 1 and "no unit with code" in export.output
