"""The per-module zh_CN catalogues agree with each other.

Each core module and each plugin keeps its own catalogue, and at run time
they are merged into one (:func:`core.i18n.translations_for`): where two
catalogues translate the same msgid (in the same context) differently, the
one merged last wins silently and the other module's pages show the wrong
Chinese. A msgid that means different things in two modules must be made
distinct; one that means the same must be translated the same.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from core.i18n import translations_for

ROOT = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    return (
        sorted(ROOT.glob("core/locale/zh_CN/LC_MESSAGES/messages.po"))
        + sorted(ROOT.glob("core/*/locale/zh_CN/LC_MESSAGES/messages.po"))
        + sorted(ROOT.glob("plugins/*/locale/zh_CN/LC_MESSAGES/messages.po"))
    )


def translations(po: Path) -> dict[tuple[str | None, str], tuple[str, ...]]:
    """``(context, msgid)``: the msgstr (all plural forms) of every translated message."""
    with po.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    found = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple | list) else message.id
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if any(strings):
            found[(message.context, msgid)] = tuple(strings)
    return found


def clashes() -> list[str]:
    seen: dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]] = {}
    for po in catalogues():
        owner = str(po.relative_to(ROOT)).split("/locale/")[0]
        for key, strings in translations(po).items():
            seen.setdefault(key, {}).setdefault(strings, []).append(owner)
    report = []
    for (context, msgid), versions in sorted(seen.items(), key=lambda kv: kv[0][1]):
        if len(versions) > 1:
            where = "; ".join(
                f"{' / '.join(s)} in {', '.join(owners)}" for s, owners in versions.items()
            )
            report.append(f"{msgid!r}{f' ({context})' if context else ''}: {where}")
    return report


def test_the_catalogues_are_all_found():
    found = {str(p.relative_to(ROOT)).split("/locale/")[0] for p in catalogues()}
    assert {"core", "core/cases", "core/catalog", "core/workbench", "core/reports"} <= found


def test_no_two_catalogues_translate_one_msgid_differently():
    assert clashes() == []


def test_the_merged_catalogue_keeps_each_modules_meaning():
    """The known clashes, as a reader sees them in the merged catalogue."""
    zh = translations_for("zh_CN")
    assert zh.gettext("Denied") == "不予批准"  # a case's decision, not a delegation rule
    assert zh.gettext("Withdraw") == "撤回申请"  # the applicant's action, not a role's
    assert zh.gettext("Free of charge") == "不收费"
    assert zh.gettext("Name") != zh.gettext("Full name")
