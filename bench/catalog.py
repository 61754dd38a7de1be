"""Catalogue benchmarks: the guide's search and the delegation check, on a city-sized catalogue.

    .venv/bin/python bench/catalog.py               # 1 s per figure
    .venv/bin/python bench/catalog.py --items 5000 --seconds 2

A city's implementation list runs to one or two thousand items. Each figure is
printed with its ratio to a baseline measured in the same run:

- search: the guide's ranked search (name, keywords, pinyin initials and full
  pinyin, English) against the baseline of a plain substring scan of the names;
- index: building the pinyin index once per catalogue (at the first search);
- delegation: deciding every item for one village (what the filing list does
  per page view, after its one query) against the baseline of the plugin's
  proposal alone (``level in accept_levels``).

No database is touched: the figures are the Python work per request.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

import msgspec


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    fn()
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        calls += 1
    return calls / elapsed


def synthetic_catalogue(count: int):
    """``count`` copies of the in-tree items with distinct codes and shuffled names."""
    from core.catalog.registry import get_catalog

    base = list(get_catalog().items.values())
    words = "".join(item.name for item in base)
    rng = random.Random(7)
    items = []
    for index in range(count):
        template = base[index % len(base)]
        name = "".join(rng.sample(words, 8)) + template.name
        items.append(
            msgspec.structs.replace(template, code=f"88{index:010d}", name=name, keywords=("试验",))
        )
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()

    from core.catalog import guide
    from core.catalog.delegation import FilingRules

    items = synthetic_catalogue(args.items)
    queries = ["养老", "ylbx", "yanglao", "pension", "cxjm", "发票"]

    def baseline_search():
        for q in queries:
            [i for i in items if q in i.name]

    entries = {}

    def build_index():
        entries.clear()
        entries.update({i.code: guide.entry_for(i) for i in items})

    build_index()

    def ranked_search():
        for q in queries:
            needle = guide.normalise(q)
            [i for i in items if guide.score_entry(entries[i.code], needle)]

    rules = FilingRules(
        "village",
        [
            {"item_code": i.code, "unit_path": "/509900000000/", "level": "", "allow": n % 3 != 0}
            for n, i in enumerate(items[::10])
        ],
        ["bank_outlets"],
    )

    def baseline_delegation():
        [i for i in items if "village" in i.accept_levels and i.proxy_allowed]

    def delegation():
        [i for i in items if rules.decide(i, plugin="social_security", proxy=True).allowed]

    rows = [
        ("search", "substring scan of names (baseline)", rate(baseline_search, args.seconds)),
        ("search", "ranked search with pinyin", rate(ranked_search, args.seconds)),
        ("index", "build the pinyin index", rate(build_index, args.seconds)),
        ("delegation", "proposal only (baseline)", rate(baseline_delegation, args.seconds)),
        ("delegation", "rules + plugin switches", rate(delegation, args.seconds)),
    ]
    print(f"{args.items} items, {len(queries)} queries per search call\n")
    print(f"{'':<12}{'':<40}{'calls/s':>10}{'ms/call':>10}{'× baseline':>12}")
    baselines = {}
    for group, label, per_second in rows:
        baselines.setdefault(group, per_second)
        ratio = baselines[group] / per_second
        print(
            f"{group:<12}{label:<40}{per_second:>10,.1f}{1000 / per_second:>10.2f}{ratio:>11.1f}x"
        )


if __name__ == "__main__":
    main()
