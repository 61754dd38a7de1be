"""Every event kind written anywhere has a label, so a case's history never shows a raw key.

The kinds are enumerated from the source: every ``record(ctx, "<kind>", …)`` (the
cases module's event writer, used by other modules too) and every
``append_event(…, kind=…)`` under core/ and plugins/. A kind added tomorrow
without a label fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

from core.cases.labels import EVENT_LABELS
from core.i18n import gettext

ROOT = Path(__file__).resolve().parents[2]
WRITER = ROOT / "core" / "cases" / "flow.py"  # record() itself passes its parameter on


def written_event_kinds() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    unresolved: list[str] = []
    for path in sorted((*(ROOT / "core").rglob("*.py"), *(ROOT / "plugins").rglob("*.py"))):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if (
                name == "record"
                and len(node.args) >= 2
                and getattr(node.args[0], "id", "") == "ctx"
            ):
                kind = node.args[1]
            elif name == "append_event":
                kind = next((k.value for k in node.keywords if k.arg == "kind"), None)
            else:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(kind, ast.Constant) and isinstance(kind.value, str):
                found.setdefault(kind.value, []).append(where)
            elif isinstance(kind, ast.Name) and kind.id in constants:
                found.setdefault(constants[kind.id], []).append(where)
            elif path != WRITER:
                unresolved.append(where)
    assert not unresolved, (
        f"event kinds the test cannot read (use a literal or constant): {unresolved}"
    )
    return found


def test_the_scan_finds_the_event_writers():
    kinds = written_event_kinds()
    # From cases, the sweep, supervision (core/reports) and e-licences (core/licences).
    assert {"submit", "accept", "escalate", "silent_consent", "urge", "licence_attached"} <= set(
        kinds
    )


def test_every_event_kind_written_anywhere_has_a_label():
    missing = {k: where for k, where in written_event_kinds().items() if k not in EVENT_LABELS}
    assert not missing, f"event kinds without a label in core/cases/labels.py: {missing}"


def test_every_event_label_reads_in_chinese():
    for kind in written_event_kinds():
        label = EVENT_LABELS[kind]
        assert gettext("zh_CN", label) != label, f"{kind}: {label!r} has no zh_CN translation"


def test_a_licence_attached_event_shows_its_label():
    assert EVENT_LABELS["licence_attached"] == "E-licence attached as a material"
    assert gettext("zh_CN", EVENT_LABELS["licence_attached"]) == "已附电子证照作为材料"
