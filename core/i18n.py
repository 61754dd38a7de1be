"""Translation layer: gettext catalogues (Babel .po files), zh-CN first.

Message ids are English source strings; ``core/locale/zh_CN`` and each
plugin's ``locale/zh_CN`` hold the Chinese. The .po files are compiled in
memory on first use, so no binary .mo file is committed or built.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

DEFAULT_LOCALE = "zh_CN"
LOCALES = ("zh_CN", "en")
DOMAIN = "messages"

_locale_dirs: list[Path] = [Path(__file__).parent / "locale"]


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


def add_locale_dir(path: Path) -> None:
    """Register a plugin's ``locale`` folder (called by the plugin manager)."""
    if path not in _locale_dirs:
        _locale_dirs.append(path)
        translations_for.cache_clear()


def negotiate(value: str | None) -> str:
    """Pick a supported locale from a cookie value or Accept-Language header."""
    if not value:
        return DEFAULT_LOCALE
    for part in value.replace(" ", "").split(","):
        tag = part.split(";")[0].replace("-", "_").lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def _compile(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


@lru_cache(maxsize=8)
def translations_for(locale: str) -> NullTranslations:
    merged: NullTranslations | None = None
    for folder in _locale_dirs:
        po = folder / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.exists():
            continue
        current = _compile(po, locale)
        if merged is None:
            merged = current
        else:
            merged.merge(current)
    return merged or NullTranslations()


def gettext(locale: str, message: str, **params: object) -> str:
    text = translations_for(locale).gettext(message)
    return text % params if params else text


def babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


def locale_dirs() -> Iterable[Path]:
    return tuple(_locale_dirs)
