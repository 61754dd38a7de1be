"""Keep the translation catalogues in step with the code.

Each core module and each plugin that has a ``locale/`` folder owns its own
catalogue (``<package>/locale/zh_CN/LC_MESSAGES/messages.po``), extracted from
its own files, so modules and plugins translate independently. At run time
they are merged (see ``core.i18n``).

    python scripts/i18n.py update [PACKAGE…]   # re-extract and merge into each zh_CN .po
    python scripts/i18n.py check [PACKAGE…]    # msgids without Chinese, fuzzy entries, broken
                                               # placeholders (exit 1 if any)

The checks are those ``tongban plugins check`` runs on an installed plugin's
catalogue (``core.i18n_check``), so a plugin from outside the repo is held to
the same rules.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from core.i18n_check import MAPPING_CFG, check_package

ROOT = Path(__file__).resolve().parent.parent


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
    config = output.with_name("babel.cfg")  # the extraction rules the checks use too
    config.write_text(MAPPING_CFG, encoding="utf-8")
    try:
        _extract(package, output, config)
    finally:
        config.unlink()


def _extract(package: Path, output: Path, config: Path) -> None:
    _babel(
        "extract",
        "-F",
        str(config),
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


def problems(package: Path) -> list[str]:
    """What is wrong with the package's catalogues, one line each."""
    files = [ROOT / p for p in sources(package)]
    return [str(f) for f in check_package(package / "locale", files, relative_to=ROOT)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    chosen = [ROOT / a for a in argv[1:]] or packages()
    if command == "update":
        for package in chosen:
            update(package)
        return 0
    found = [line for package in chosen for line in problems(package)]
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
