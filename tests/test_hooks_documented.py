"""Tests keep the docs honest (after datasette's test_plugin_hooks_are_documented /
have_tests): every hook in core/hookspecs.py has a section with an example in the
plugin author guide, and some test exercises it. Written generically: a hook added
tomorrow fails these until it is documented and tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import hookspecs

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "plugins.md"
HOOKS = sorted(name for name in vars(hookspecs) if name.startswith("tongban_"))


def guide_sections() -> dict[str, str]:
    """``### tongban_x`` heading -> the text up to the next heading."""
    text = GUIDE.read_text(encoding="utf-8")
    parts = re.split(r"^### (tongban_\w+)\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1].split("\n## ")[0] for i in range(1, len(parts), 2)}


def test_the_hookspecs_are_found():
    assert {"tongban_items", "tongban_validate_submission", "tongban_route_handlers"} <= set(HOOKS)


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented_with_an_example(hook):
    sections = guide_sections()
    assert hook in sections, f"docs/plugins.md has no '### {hook}' section"
    assert "```python" in sections[hook] and hook in sections[hook].split("```python", 1)[1], (
        f"the section on {hook} needs a Python example implementing it"
    )


def test_the_guide_documents_no_hook_that_does_not_exist():
    assert set(guide_sections()) <= set(HOOKS)


def _test_sources() -> dict[Path, str]:
    me = Path(__file__).resolve()
    return {
        path: path.read_text(encoding="utf-8")
        for path in (ROOT / "tests").rglob("*.py")
        if path.resolve() != me
    }


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook):
    """Some test implements the hook (``def tongban_x``) or calls it (``hook.tongban_x``)."""
    pattern = re.compile(rf"def {hook}\b|hook\.{hook}\b|\"{hook}\"")
    assert any(pattern.search(text) for text in _test_sources().values()), (
        f"no test under tests/ implements or calls {hook}"
    )


def test_the_guide_shows_how_units_of_a_new_kind_get_into_the_tree():
    """A new unit kind routes nothing until the site has units of it: the guide's
    unit-kinds section gives a units.csv row the importer reads, for the kind its
    example declares, and the commands that import it and staff it."""
    import csv
    import io

    from core.tenancy.units_import import COLUMNS

    section = guide_sections()["tongban_unit_kinds"]
    assert "```csv" in section, "the tongban_unit_kinds section shows no units.csv rows"
    rows = list(csv.DictReader(io.StringIO(section.split("```csv\n", 1)[1].split("```")[0])))
    declared = re.search(r'UnitKind\(key="(\w+)"', section).group(1)
    assert rows and all(tuple(row) == COLUMNS for row in rows)
    assert {row["kind"] for row in rows} == {declared}
    assert "tongban units import" in section and "tongban user create" in section
