"""``tongban units import / export / generate`` from the command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from core.cli import user
from core.tenancy.cli import units
from core.tenancy.tables import Staff


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


def test_a_bad_file_lists_every_error_and_imports_nothing(tmp_path, catalogue, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # the messages in the terminal's language
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


def create_user(*args: str):
    return CliRunner().invoke(user, ["create", *args])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("zh_CN.UTF-8", ["密码不符合要求，未创建任何账号：", "  密码至少 10 个字符。"]),
        ("C.UTF-8", ["密码不符合要求，未创建任何账号：", "  密码至少 10 个字符。"]),  # the site's
        (
            "en_US.UTF-8",
            ["The password was refused; nothing was created:", "  Use at least 10 characters."],
        ),
    ],
)
def test_user_create_says_why_a_password_is_refused(catalogue, monkeypatch, lang, expected):
    monkeypatch.setenv("LANG", lang)
    result = create_user("cli_weak", "--unit", "509910101000-BM", "--role", "window_clerk",
                         "--password", "abc12")  # fmt: skip
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.splitlines()[:2] == expected, result.output
    assert (
        "Traceback" not in result.output and "Please choose another password" not in result.output
    )
    assert not Staff.exists().where(Staff.username == "cli_weak").run_sync()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["cli_new", "--unit", "NO-SUCH"],
            "There is no unit with code “NO-SUCH”. Nothing was created.",
        ),
        (
            ["cli_new", "--unit", "509910101000-BM", "--role", "wizard"],
            "Unknown role: wizard. Nothing was created.",
        ),
        (
            ["clerk", "--unit", "509910101000-BM"],
            "The username “clerk” is taken. Nothing was created.",
        ),
    ],
)
def test_user_create_refuses_bad_input_with_a_message(catalogue, monkeypatch, args, expected):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    if "--role" not in args:
        args = [*args, "--role", "window_clerk"]
    before = Staff.count().run_sync()
    result = create_user(*args, "--password", "Long-enough-pass-7")
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # no traceback, just the message
    assert result.output.strip() == expected
    assert Staff.count().run_sync() == before


def test_user_create_in_chinese(catalogue, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = create_user("cli_new2", "--unit", "NO-SUCH", "--role", "window_clerk",
                         "--password", "Long-enough-pass-7")  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip() == "没有编码为“NO-SUCH”的单位。未创建任何账号。"


def test_a_file_that_is_not_csv_is_refused_with_the_line(tmp_path, catalogue, monkeypatch):
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    huge = tmp_path / "huge.csv"
    huge.write_text(
        "code,name,name_en,kind,level,parent_code\n"
        f"509910199000,{'镇' * 200_000},,township,township,509910000000\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(units, ["import", str(huge)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "huge.csv:2: this line cannot be read as CSV (field larger than field limit" in (
        result.output
    )
    assert "1 error(s); nothing imported." in result.output

    wide = tmp_path / "wide.csv"
    wide.write_text(
        "code,name,name_en,kind,level,parent_code\n"
        "509910199000,坏镇,,township,township,509910000000,oops,more\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(units, ["import", "--dry-run", str(wide)])
    assert result.exit_code == 1, result.output
    assert "wide.csv:2: this line has 8 values, the header names 6" in result.output

    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    result = CliRunner().invoke(units, ["import", "--dry-run", str(wide)])
    assert "wide.csv:2: 此行有 8 个值，而表头只有 6 列" in result.output
    assert "共 1 处错误；未导入任何单位。" in result.output
