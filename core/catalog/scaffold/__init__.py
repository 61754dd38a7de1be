"""``tongban plugins new NAME``: a plugin package that installs and passes its tests as generated.

The files under ``template/`` carry a ``.tmpl`` suffix (so linters and test
collectors leave them alone) and placeholders replaced here: ``__NAME__`` (the
entry-point name, also the URL prefix ``/p/__NAME__/``), ``__PACKAGE__`` (the
Python package, ``tongban_<name>``), ``__DIST__``, ``__CLASS__``,
``__TITLE__``, ``__TITLE_EN__`` and ``__CODE__`` (the example item's code).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

TEMPLATE = Path(__file__).parent / "template"
NAME_RE = re.compile(r"[a-z][a-z0-9_]{1,39}\Z")


class ScaffoldError(ValueError):
    pass


def item_code_for(name: str) -> str:
    """A 12-digit basic code for the example item, stable per plugin name: "99" marks
    a local (non-national) code, the rest comes from the name so two scaffolds differ."""
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    return f"99{digest % 10**10:010d}"


def placeholders(name: str, title: str, title_en: str) -> dict[str, str]:
    return {
        "__PACKAGE__": f"tongban_{name}",
        "__NAME__": name,
        "__DIST__": name.replace("_", "-"),
        "__CLASS__": "".join(part.title() for part in name.split("_")),
        "__TITLE_EN__": title_en,
        "__TITLE__": title,
        "__CODE__": item_code_for(name),
    }


def create_plugin(
    name: str,
    parent: Path,
    *,
    title: str = "",
    title_en: str = "",
    existing: set[str] = frozenset(),
) -> Path:
    """Write the package ``tongban-<name>/`` under ``parent``; returns its folder."""
    if not NAME_RE.match(name) or name.endswith("_") or "__" in name:
        raise ScaffoldError(
            f"{name!r} is not a usable plugin name: use 2-40 lower-case letters, digits and "
            "single underscores, starting with a letter"
        )
    if name in existing:
        raise ScaffoldError(f"a plugin named {name!r} is already installed")
    target = parent / f"tongban-{name.replace('_', '-')}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists")
    values = placeholders(name, title or name.replace("_", " ").title(), title_en or title or name)
    for source in sorted(TEMPLATE.rglob("*.tmpl")):
        relative = str(source.relative_to(TEMPLATE)).removesuffix(".tmpl")
        text = source.read_text(encoding="utf-8")
        for key, value in values.items():
            relative = relative.replace(key, value)
            text = text.replace(key, value)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_text(text, encoding="utf-8")
    return target
