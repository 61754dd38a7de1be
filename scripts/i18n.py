"""Keep the translation catalogues in step with the code.

Each core module and each plugin that has a ``locale/`` folder owns its own
catalogue (``<package>/locale/zh_CN/LC_MESSAGES/messages.po``), extracted from
its own files, so modules and plugins translate independently. At run time
they are merged (see ``core.i18n``).

    python scripts/i18n.py update [PACKAGE…]   # re-extract and merge into each zh_CN .po
    python scripts/i18n.py check               # list msgids without Chinese (exit 1 if any)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "scripts" / "babel.cfg"


def packages() -> list[Path]:
    """Every package folder that keeps a catalogue."""
    found = [ROOT / "core"]  # the kernel's own top-level modules (errors, …)
    found += [
        p.parent for p in sorted(ROOT.glob("core/*/locale")) + sorted(ROOT.glob("plugins/*/locale"))
    ]
    return [p for p in found if p.is_dir()]


def sources(package: Path) -> list[str]:
    """The top-level ``core`` catalogue covers only core/*.py; the modules have their own."""
    if package == ROOT / "core":
        return sorted(str(p.relative_to(ROOT)) for p in package.glob("*.py"))
    return [str(package.relative_to(ROOT))]


def _babel(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-c", "from babel.messages.frontend import main; main()", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def extract(package: Path, output: Path) -> None:
    _babel(
        "extract",
        "-F",
        str(CONFIG),
        "-k",
        "N_",
        "--no-location",
        "--sort-output",
        "-o",
        str(output),
        *sources(package),
    )


def po_path(package: Path) -> Path:
    return package / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"


def update(package: Path) -> None:
    pot = package / "locale" / "messages.pot"
    extract(package, pot)
    po = po_path(package)
    if po.exists():
        _babel(
            "update",
            "-i",
            str(pot),
            "-o",
            str(po),
            "-l",
            "zh_CN",
            "--no-fuzzy-matching",
            "--ignore-obsolete",
        )
    else:
        _babel("init", "-i", str(pot), "-o", str(po), "-l", "zh_CN")


def untranslated(package: Path) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        extract(package, pot)
        with pot.open("rb") as fh:
            template = read_po(fh)
    po = po_path(package)
    catalog = read_po(po.open("rb"), locale="zh_CN") if po.exists() else None
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id) if catalog else None
        strings = found.string if found else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    chosen = [ROOT / a for a in argv[1:]] or packages()
    if command == "update":
        for package in chosen:
            update(package)
        return 0
    gaps = [(p, m) for p in chosen for m in untranslated(p)]
    for package, msgid in gaps:
        print(f"{package.relative_to(ROOT)}: untranslated: {msgid}")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
