"""Finding an item the way an agent types on a tablet: Chinese, pinyin, or its initials.

"cxjm", "chengxiang", "养老" and "pension" all find 城乡居民基本养老保险参保登记.
The pinyin of each item's name is computed once per item declaration and
cached; matching is a substring test on a few short strings per item, which
for a catalogue of a few thousand items is far below a millisecond.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

from core.catalog.items import Item


@dataclass(frozen=True)
class SearchKeys:
    text: tuple[str, ...]  # lower-cased names and keywords
    pinyin: str  # "chengxiangjuminjibenyanglaobaoxiancanbaodengji"
    initials: str  # "cxjmjbylbxcbdj"


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@lru_cache(maxsize=8192)
def _pinyin(name: str) -> tuple[str, str]:
    syllables = lazy_pinyin(name, errors="ignore")
    initials = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(syllables).lower(), "".join(initials).lower()


def keys_for(item: Item) -> SearchKeys:
    full, initials = _pinyin(item.name)
    return SearchKeys(
        text=tuple(_fold(t) for t in (item.name, item.name_en, *item.keywords) if t),
        pinyin=full,
        initials=initials,
    )


def matches(item: Item, query: str) -> bool:
    needle = _fold(query)
    if not needle:
        return True
    keys = keys_for(item)
    if any(needle in text for text in keys.text):
        return True
    return needle.isascii() and (needle in keys.initials or needle in keys.pinyin)


def rank(item: Item, query: str) -> tuple[int, str]:
    """Sort key: items whose name or initials start with the query come first."""
    needle = _fold(query)
    keys = keys_for(item)
    starts = keys.text[0].startswith(needle) or keys.initials.startswith(needle)
    return (0 if starts else 1, keys.pinyin)


def search(items: list[Item], query: str, limit: int = 50) -> list[Item]:
    query = (query or "")[:64]
    found = [item for item in items if matches(item, query)]
    return sorted(found, key=lambda item: rank(item, query))[:limit]
