"""`tongban plugins check` checks the translation catalogue of every loaded plugin,
including one installed from outside the repository: a broken placeholder or a
catalogue Tongban cannot read fails the check (exit 1), messages without Chinese
and fuzzy entries are warnings (exit 0), in the terminal's language.

Each plugin here is a package written to a temporary folder with its dist-info
(the entry point a pip install would leave), so nothing of it is in the repo.
Most tests invoke the click command in this process; one runs the real command
in a fresh one, in a Chinese terminal.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.catalog.commands import plugins
from core.catalog.scaffold import create_plugin
from core.testing import check_plugin

ROOT = Path(__file__).resolve().parents[2]

HEADER = """\
msgid ""
msgstr ""
"Language: zh_CN\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"
"""

GOOD_ENTRIES = """
msgid "Inspection due on %(day)s"
msgstr "请于%(day)s前接受检查"

msgid "Survey fee"
msgstr "测绘费"
"""

PO_FILE = "locale/zh_CN/LC_MESSAGES/messages.po"


def write_plugin(tmp_path: Path, name: str, po: str | bytes | None) -> Path:
    """The package ``<name>_pkg`` marking two messages in its code and one in a template,
    with ``po`` as its Chinese catalogue (none when ``None``), on entry point ``name``."""
    package = tmp_path / f"{name}_pkg"
    (package / "templates" / name).mkdir(parents=True)
    (package / "__init__.py").write_text(
        textwrap.dedent(
            """
            from pathlib import Path

            from core import hookimpl
            from core.api import N_

            MESSAGES = [N_("Inspection due on %(day)s"), N_("Survey fee")]

            @hookimpl
            def tongban_locale_dirs():
                return [Path(__file__).parent / "locale"]
            """
        )
    )
    (package / "templates" / name / "page.html").write_text(
        '{% extends "base.html" %}{% block content %}{{ _("Survey fee") }}{% endblock %}'
    )
    folder = package / "locale" / "zh_CN" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    if po is not None:
        data = po if isinstance(po, bytes) else (HEADER + po).encode("utf-8")
        (folder / "messages.po").write_bytes(data)
    dist = tmp_path / f"{name}_pkg-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}-pkg\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[tongban.plugins]\n{name} = {name}_pkg\n")
    return package


@pytest.fixture
def on_path(tmp_path, monkeypatch):
    """Packages written to ``tmp_path`` (with their dist-info) are installed plugins here,
    and the terminal speaks English."""
    monkeypatch.syspath_prepend(str(tmp_path))
    for variable in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    importlib.invalidate_caches()
    yield
    importlib.invalidate_caches()


def check(name: str):
    return CliRunner().invoke(plugins, ["check", name])


def line_of(package: Path, text: str) -> int:
    """The line of the .po where ``text`` is (Babel counts from 1, as editors do)."""
    lines = (package / PO_FILE).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def test_a_complete_catalogue_passes(tmp_path, on_path):
    write_plugin(tmp_path, "tidy", GOOD_ENTRIES)
    result = check("tidy")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "ok: tidy"
    assert "warning" not in result.output


def test_a_translation_that_drops_a_placeholder_fails_the_check(tmp_path, on_path):
    package = write_plugin(
        tmp_path,
        "dropper",
        GOOD_ENTRIES.replace("请于%(day)s前接受检查", "请按时接受检查"),
    )
    result = check("dropper")
    assert result.exit_code == 1, result.output
    line = line_of(package, 'msgid "Inspection due on %(day)s"')
    assert (
        f"dropper: dropper_pkg/{PO_FILE}:{line}: '请按时接受检查' leaves out %(day)s of "
        "'Inspection due on %(day)s': the value is never shown"
    ) in result.output.splitlines()
    assert "1 problem(s) in dropper" in result.output


def test_a_translation_with_a_placeholder_the_id_lacks_fails_the_check(tmp_path, on_path):
    """The caller passes only the id's names: showing this one raises KeyError."""
    package = write_plugin(
        tmp_path, "misspelt", GOOD_ENTRIES.replace("请于%(day)s前", "请于%(date)s前")
    )
    result = check("misspelt")
    assert result.exit_code == 1, result.output
    line = line_of(package, 'msgid "Inspection due on %(day)s"')
    assert (
        f"misspelt: misspelt_pkg/{PO_FILE}:{line}: '请于%(date)s前接受检查' uses %(date)s, "
        "which 'Inspection due on %(day)s' does not have: showing it fails"
    ) in result.output.splitlines()


def test_placeholder_kinds_are_checked_as_babel_does(tmp_path, on_path):
    """Positional placeholders too: one fewer in the translation raises TypeError when shown."""
    entries = GOOD_ENTRIES + '\nmsgid "%s of %s done"\nmsgstr "已完成 %s"\n'
    package = write_plugin(tmp_path, "kinds", entries)
    code = package / "__init__.py"
    code.write_text(code.read_text() + '\nMORE = N_("%s of %s done")\n')
    result = check("kinds")
    assert result.exit_code == 1, result.output
    line = line_of(package, 'msgid "%s of %s done"')
    assert (
        f"kinds: kinds_pkg/{PO_FILE}:{line}: the placeholders of '已完成 %s' do not match "
        "'%s of %s done' (positional format placeholders are unbalanced)"
    ) in result.output.splitlines()


def test_untranslated_and_fuzzy_messages_are_warnings(tmp_path, on_path):
    entries = (
        '\n#, fuzzy\nmsgid "Inspection due on %(day)s"\nmsgstr "请于%(day)s前接受检查"\n'
        '\nmsgid "Survey fee"\nmsgstr ""\n'
    )
    package = write_plugin(tmp_path, "halfway", entries)
    result = check("halfway")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    fuzzy_line = line_of(package, 'msgid "Inspection due on %(day)s"')
    assert (
        f"halfway: halfway_pkg/{PO_FILE}:{fuzzy_line}: warning: fuzzy: "
        "'Inspection due on %(day)s' shows untranslated until the fuzzy flag is removed"
    ) in lines
    empty_line = line_of(package, 'msgid "Survey fee"')
    assert (
        f"halfway: halfway_pkg/{PO_FILE}:{empty_line}: warning: untranslated: 'Survey fee'"
    ) in lines
    assert "2 warning(s) (they do not stop Tongban)" in lines
    assert lines[-1] == "ok: halfway"


def test_a_message_of_the_code_missing_from_the_catalogue_is_a_warning(tmp_path, on_path):
    write_plugin(tmp_path, "stale", '\nmsgid "Survey fee"\nmsgstr "测绘费"\n')
    result = check("stale")
    assert result.exit_code == 0, result.output
    assert (
        f"stale: stale_pkg/{PO_FILE}: warning: untranslated: 'Inspection due on %(day)s'"
    ) in result.output.splitlines()


def test_a_compiled_catalogue_without_its_po_fails_the_check(tmp_path, on_path):
    """A wheel that packaged only messages.mo: Tongban reads the .po, so nothing is translated."""
    package = write_plugin(tmp_path, "compiled", None)
    (package / "locale/zh_CN/LC_MESSAGES/messages.mo").write_bytes(b"\xde\x12\x04\x95")
    result = check("compiled")
    assert result.exit_code == 1, result.output
    assert (
        f"compiled: compiled_pkg/{PO_FILE}: missing: Tongban reads the .po (a messages.mo is "
        "never read), so every message shows untranslated; ship the .po as package data"
    ) in result.output.splitlines()


def test_no_chinese_catalogue_at_all_fails_the_check(tmp_path, on_path):
    package = write_plugin(tmp_path, "bare", None)
    (package / "locale/zh_CN/LC_MESSAGES").rmdir()
    (package / "locale/zh_CN").rmdir()
    result = check("bare")
    assert result.exit_code == 1, result.output
    assert (
        f"bare: bare_pkg/{PO_FILE}: no Chinese catalogue: the package's 2 message(s) show in "
        "English in the Chinese interface"
    ) in result.output.splitlines()


def test_a_catalogue_that_is_not_utf8_fails_the_check(tmp_path, on_path):
    po = (HEADER + GOOD_ENTRIES).encode("utf-8").replace("测绘费".encode(), "测绘费".encode("gbk"))
    write_plugin(tmp_path, "gbk", po)
    result = check("gbk")
    assert result.exit_code == 1, result.output
    assert f"gbk: gbk_pkg/{PO_FILE}: cannot be read: not UTF-8 (byte " in result.output
    assert "every page in this language fails" in result.output


def test_a_source_file_babel_cannot_read_is_named(tmp_path, on_path):
    """A file of the package that cannot be tokenized (not imported by the plugin, so
    it loads) is named, instead of the check stopping with a traceback."""
    package = write_plugin(tmp_path, "scrap", GOOD_ENTRIES)
    (package / "draft.py").write_text('TITLE = N_("Unfinished"\n')
    result = check("scrap")
    assert result.exit_code == 1, result.output
    assert (
        "scrap: scrap_pkg/draft.py: cannot read the messages marked here: "
        "TokenError: ('EOF in multi-line statement', (2, 0))"
    ) in result.output.splitlines()


def test_a_locale_folder_tongban_never_reads_is_a_warning(tmp_path, on_path):
    package = write_plugin(tmp_path, "hans", GOOD_ENTRIES)
    (package / "locale/zh_Hans/LC_MESSAGES").mkdir(parents=True)
    result = check("hans")
    assert result.exit_code == 0, result.output
    assert (
        "hans: hans_pkg/locale/zh_Hans: warning: Tongban never reads this folder: "
        "its languages are zh_CN, en"
    ) in result.output.splitlines()


def test_a_plugins_own_tests_see_the_errors_too(tmp_path, on_path):
    """``core.testing.check_plugin`` (what a plugin's pytest asserts is []) reports them."""
    package = write_plugin(tmp_path, "selftest", GOOD_ENTRIES.replace("%(day)s前", "前"))
    line = line_of(package, 'msgid "Inspection due on %(day)s"')
    assert check_plugin("selftest") == [
        f"selftest: selftest_pkg/{PO_FILE}:{line}: '请于前接受检查' leaves out %(day)s of "
        "'Inspection due on %(day)s': the value is never shown"
    ]


def test_a_scaffolded_plugin_passes_the_check(tmp_path, on_path):
    target = create_plugin("orchard", tmp_path, title="果园站", title_en="Orchard station")
    dist = tmp_path / "tongban_orchard-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: tongban-orchard\nVersion: 0.1.0\n")
    (dist / "entry_points.txt").write_text("[tongban.plugins]\norchard = tongban_orchard.plugin\n")
    sys.path.insert(0, str(target))  # the package folder, as `pip install -e` puts it
    try:
        importlib.invalidate_caches()
        result = check("orchard")
    finally:
        sys.path.remove(str(target))
    assert result.exit_code == 0, result.output
    assert "messages.po" not in result.output
    assert result.output.splitlines()[-1] == "ok: orchard"


def test_the_real_command_speaks_the_terminals_language(tmp_path):
    """A fresh process, as an author runs it, in a Chinese terminal."""
    write_plugin(tmp_path, "zhterm", GOOD_ENTRIES.replace("请于%(day)s前", "请于%(date)s前"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "TONGBAN_VAR_DIR": str(tmp_path / "var"),
        "LC_ALL": "",
        "LC_MESSAGES": "",
        "LANG": "zh_CN.UTF-8",
    }
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "plugins", "check", "zhterm"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert (
        "译文 '请于%(date)s前接受检查' 使用了 'Inspection due on %(day)s' 中没有的 %(date)s："
        "显示时会出错"
    ) in result.stdout
