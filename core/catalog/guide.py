"""The public service guide (办事指南): search the catalogue and say what a village can file.

Residents type what they know: a few characters of the name (养老), a
keyword, the pinyin initials a Chinese keyboard user types without switching
input method (cxjm), full pinyin (yanglao) or English. The index is built once
per catalogue with ``pypinyin``, whose phrase dictionary picks the right reading
of a heteronym in context (重庆 is "cq", not "zq").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, pinyin

from core.catalog.delegation import ancestor_paths
from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.tenancy.scope import ADMINISTRATIVE_KINDS
from core.tenancy.tables import Unit

MAX_QUERY = 50
SEP = "\x00"  # joins the readings of one item into one string: one C-level search per query


@dataclass(frozen=True)
class SearchEntry:
    code: str
    name: str  # normalised Chinese name
    others: str  # English name, keywords, summary and code, joined by SEP
    initials: str  # SEP + "cxjmjbylbxcbdj" + SEP + … (name and keywords)
    spelled: str  # SEP + "chengxiangjumin…" + SEP + …


def _reading(text: str, style: Style) -> str:
    """One reading, phrase-aware (pypinyin knows 重庆 is chóngqìng, 银行 yínháng);
    characters without pinyin (letters, digits) are kept as they are."""
    syllables = pinyin(text, style=style, errors=lambda chars: list(chars))
    return "".join(options[0].lower() for options in syllables if options and options[0])


def normalise(query: str) -> str:
    """Full-width letters to half-width, lower case, no spaces or apostrophes (xi'an)."""
    text = unicodedata.normalize("NFKC", query or "")[:MAX_QUERY].lower()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "'’")


def entry_for(item: Item) -> SearchEntry:
    names = [normalise(n) for n in (item.name, *item.keywords) if n]
    others = [normalise(t) for t in (item.name_en, *item.keywords, item.summary, item.code) if t]
    return SearchEntry(
        code=item.code,
        name=normalise(item.name),
        others=SEP.join(others),
        initials="".join(SEP + _reading(n, Style.FIRST_LETTER) for n in names),
        spelled="".join(SEP + _reading(n, Style.NORMAL) for n in names),
    )


@lru_cache(maxsize=4)
def _index(codes: tuple[str, ...]) -> dict[str, SearchEntry]:
    catalog = get_catalog()
    return {code: entry_for(catalog.items[code]) for code in codes}


def search(items: list[Item], query: str) -> list[Item]:
    """``items`` matching ``query`` (all of them for an empty query), best first:
    a match in the name, then pinyin initials from the start or full pinyin, then
    initials anywhere, then English, keywords, summary or code."""
    needle = normalise(query)
    if not needle:
        return items
    entries = _index(tuple(get_catalog().items))
    scored = []
    for position, item in enumerate(items):
        score = score_entry(entries.get(item.code) or entry_for(item), needle)
        if score:
            scored.append((-score, position, item))
    return [item for *_, item in sorted(scored, key=lambda s: (s[0], s[1]))]


def score_entry(entry: SearchEntry, needle: str) -> int:
    if needle in entry.name:
        return 4
    if SEP + needle in entry.initials or needle in entry.spelled:
        return 3
    if len(needle) >= 2 and needle in entry.initials:
        return 2
    if needle in entry.others:
        return 1
    return 0


# -- places: the village chooser -----------------------------------------------------
# A resident picks their village through a cascade (district → township → village):
# each drop-down lists the children of the unit chosen above it, so the page carries
# a few dozen options however large the city is (a prefecture-level city has ~4,000
# villages), and each step is one indexed query by parent.
_PLACE_COLUMNS = (Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.path, Unit.level, Unit.kind)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    name_en: str
    path: str
    level: str
    group: str  # "綦江区 · 赶水镇"
    group_en: str


@dataclass(frozen=True)
class Choice:
    """One drop-down of the cascade: the children of a unit, and which one is chosen."""

    options: list[dict]
    selected: str


def _active_places():
    return (Unit.active == True) & Unit.kind.is_in(sorted(ADMINISTRATIVE_KINDS))  # noqa: E712


async def _unit(code: str) -> dict | None:
    code = (code or "")[:32]
    if not code:
        return None
    return await Unit.select(*_PLACE_COLUMNS).where((Unit.code == code) & _active_places()).first()


async def _ancestors(row: dict) -> list[dict]:
    """The active administrative units above ``row``, from the top down."""
    paths = ancestor_paths(row["path"])[:-1]
    if not paths:
        return []
    rows = await Unit.select(*_PLACE_COLUMNS).where(Unit.path.is_in(paths) & _active_places())
    return sorted(rows, key=lambda r: len(r["path"]))


async def chain(row: dict | None) -> list[dict]:
    """``row`` with the active administrative units above it, from the top down."""
    return [*(await _ancestors(row)), row] if row else []


async def place(code: str) -> Place | None:
    """The active village agency point ``code``, with its district and township."""
    return as_place(await chain(await _unit(code)))


def as_place(units: list[dict]) -> Place | None:
    """The place at the end of a :func:`chain` if it is a village agency point."""
    if not units or units[-1]["kind"] != "village":
        return None
    row = units[-1]
    parents = [p for p in units[:-1] if p["kind"] != "city"]
    return Place(
        code=row["code"],
        name=row["name"],
        name_en=row["name_en"] or row["name"],
        path=row["path"],
        level=row["level"],
        group=" · ".join(p["name"] for p in parents),
        group_en=" · ".join(p["name_en"] or p["name"] for p in parents),
    )


async def _children(parent_id: int | None) -> list[dict]:
    parent = Unit.parent.is_null() if parent_id is None else Unit.parent == parent_id
    return await Unit.select(*_PLACE_COLUMNS).where(parent & _active_places()).order_by(Unit.code)


async def resolve(codes: list[str]) -> dict | None:
    """The deepest unit of a cascade's submitted choices that still hangs under the
    ones above it: changing the district drops the township chosen under the old one."""
    chosen = None
    for code in codes:
        row = await _unit(code)
        if row is None or (chosen and not row["path"].startswith(chosen["path"])):
            break
        chosen = row
    return chosen


async def cascade(units: list[dict]) -> list[Choice]:
    """The drop-downs to show for the chosen ``units`` (a :func:`chain`; empty: only
    the first). A single root (the city) is not asked for: the cascade starts with
    its children."""
    choices: list[Choice] = []
    options = await _children(None)
    depth = 0
    while len(options) == 1 and options[0]["kind"] != "village":
        depth += 1  # the lone root: chosen for the user
        options = await _children(options[0]["id"])
    while options:
        picked = units[depth] if depth < len(units) else None
        choices.append(Choice(options=options, selected=picked["code"] if picked else ""))
        if picked is None or picked["kind"] == "village":
            break
        options = await _children(picked["id"])
        depth += 1
    return choices
