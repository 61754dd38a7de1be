"""The public service guide (办事指南): search the catalogue and say what a village can file.

Residents type what they know: a few characters of the name (养老), a
keyword, the pinyin initials a Chinese keyboard user types without switching
input method (cxjm), full pinyin (yanglao) or English. The index is built once
per catalogue, with ``pypinyin``; heteronyms count every reading, so 重庆
matches both "zq" and "cq".
"""

from __future__ import annotations

import itertools
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin

from core.catalog.delegation import ancestor_paths
from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.tenancy.tables import Unit

MAX_QUERY = 50
MAX_READINGS = 16  # heteronym combinations kept per name, so a pathological name stays cheap


@dataclass(frozen=True)
class SearchEntry:
    code: str
    texts: tuple[str, ...]  # lower-cased name, English name, keywords, summary, code
    initials: tuple[str, ...]  # "cxjmjbylbxcbdj" (every heteronym reading)
    spelled: tuple[str, ...]  # "chengxiangjumin…"


def _readings(text: str, style: Style) -> tuple[str, ...]:
    syllables = pinyin(text, style=style, heteronym=True, errors=lambda chars: [c for c in chars])
    choices = [[s.lower() for s in options if s] or [""] for options in syllables]
    combos = itertools.islice(itertools.product(*choices), MAX_READINGS)
    return tuple(dict.fromkeys("".join(c) for c in combos))


def normalise(query: str) -> str:
    """Full-width letters to half-width, lower case, no spaces or apostrophes (xi'an)."""
    text = unicodedata.normalize("NFKC", query or "")[:MAX_QUERY].lower()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "'’")


def entry_for(item: Item) -> SearchEntry:
    names = [item.name, *item.keywords]
    return SearchEntry(
        code=item.code,
        texts=tuple(
            normalise(t)
            for t in (item.name, item.name_en, *item.keywords, item.summary, item.code)
            if t
        ),
        initials=tuple(r for n in names for r in _readings(n, Style.FIRST_LETTER)),
        spelled=tuple(r for n in names for r in _readings(n, Style.NORMAL)),
    )


@lru_cache(maxsize=1)
def _index(codes: tuple[str, ...]) -> tuple[SearchEntry, ...]:
    catalog = get_catalog()
    return tuple(entry_for(catalog.items[code]) for code in codes)


def search(items: list[Item], query: str) -> list[Item]:
    """``items`` matching ``query`` (all of them for an empty query), best first:
    a match in the name before one in keywords, pinyin or the summary."""
    needle = normalise(query)
    if not needle:
        return items
    catalog_codes = tuple(get_catalog().items)
    entries = {e.code: e for e in _index(catalog_codes)}
    scored = []
    for position, item in enumerate(items):
        entry = entries.get(item.code) or entry_for(item)
        score = _score(entry, needle)
        if score:
            scored.append((-score, position, item))
    return [item for *_, item in sorted(scored, key=lambda s: (s[0], s[1]))]


def _score(entry: SearchEntry, needle: str) -> int:
    if entry.texts and needle in entry.texts[0]:
        return 4  # the Chinese name
    if any(r.startswith(needle) for r in entry.initials) or any(needle in r for r in entry.spelled):
        return 3
    if any(needle in r for r in entry.initials) and len(needle) >= 2:
        return 2
    if any(needle in t for t in entry.texts[1:]):
        return 1
    return 0


# -- places: the village chooser -----------------------------------------------------
@dataclass(frozen=True)
class Place:
    code: str
    name: str
    name_en: str
    path: str
    level: str
    group: str  # "綦江区 · 赶水镇"
    group_en: str


async def villages() -> list[Place]:
    """Every active village agency point, with its district and township for grouping."""
    rows = await Unit.select(
        Unit.code, Unit.name, Unit.name_en, Unit.path, Unit.level, Unit.kind
    ).where((Unit.active == True) & Unit.kind.is_in(["district", "township", "village"]))  # noqa: E712
    by_path = {r["path"]: r for r in rows}
    places = []
    for row in rows:
        if row["kind"] != "village":
            continue
        parents = [by_path[p] for p in ancestor_paths(row["path"])[:-1] if p in by_path]
        places.append(
            Place(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"] or row["name"],
                path=row["path"],
                level=row["level"],
                group=" · ".join(p["name"] for p in parents),
                group_en=" · ".join(p["name_en"] or p["name"] for p in parents),
            )
        )
    return sorted(places, key=lambda p: (p.path.count("/"), p.group, p.code))


async def place(code: str) -> Place | None:
    code = (code or "")[:32]
    return next((p for p in await villages() if p.code == code), None) if code else None
