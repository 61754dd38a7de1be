"""Keep the translation catalogues in step with the code.

    python scripts/i18n.py extract   # write core/locale/messages.pot
    python scripts/i18n.py update    # merge it into core/locale/zh_CN/.../messages.po
    python scripts/i18n.py check     # list msgids without a Chinese translation (exit 1 if any)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "core" / "locale"
POT = LOCALE / "messages.pot"
PO = LOCALE / "zh_CN" / "LC_MESSAGES" / "messages.po"


def extract(output: Path = POT) -> None:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(LOCALE / "babel.cfg"),
         "-k", "N_", "--no-location", "--sort-output", "-o", str(output),
         "core", "plugins"],
        cwd=ROOT, check=True, capture_output=True,
    )


def update() -> None:
    extract()
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(POT), "-d", str(LOCALE),
         "-l", "zh_CN", "--no-fuzzy-matching", "--ignore-obsolete"],
        cwd=ROOT, check=True, capture_output=True,
    )


def untranslated(pot: Path = POT) -> list[str]:
    with pot.open("rb") as fh:
        template = read_po(fh)
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="zh_CN")
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found else None
        if not found or not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "check"
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "check":
        extract()
        gaps = untranslated()
        for msgid in gaps:
            print(f"untranslated: {msgid}")
        sys.exit(1 if gaps else 0)
