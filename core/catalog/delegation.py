"""Delegation (事项下沉): where each item may be filed, as the city admin decides.

A plugin proposes the levels (``Item.accept_levels``: e.g. village agency
points may file the pension enrolment); a city admin overrides that per item
and subtree ("not in 南川区", "yes at the villages of 赶水镇") and can switch a
whole department plugin off for a subtree. The most specific rule wins:

1. a plugin switched off anywhere above the unit refuses every item of it;
2. otherwise the rule on the nearest ancestor (or the unit itself) decides,
   a rule for the unit's own level before a rule for every level, and a
   deny before an allow on the same node;
3. with no rule, the plugin's proposal holds.

Proxy filing additionally needs the item's own ``proxy_allowed``: that is the
law's answer, not a delegation. Cases already filed are never re-checked, so a
change here never strands a case in progress.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.catalog.tables import DelegationRule, PluginSwitch
from core.i18n import N_

NOT_DELEGATED = N_("This item cannot be filed at %(unit)s: it is not delegated to this unit.")
NO_PROXY = N_("This item cannot be filed at %(unit)s: an agent may not file it for a resident.")
PLUGIN_OFF = N_(
    "This item cannot be filed at %(unit)s: the department's services are switched off here."
)


@dataclass(frozen=True)
class Decision:
    """Whether an item may be filed at a unit; ``message`` (a msgid) says why not."""

    allowed: bool
    message: str = ""
    source: str = "default"  # "default", "rule" or "plugin_off": what decided


@dataclass(frozen=True)
class Rule:
    unit_path: str
    level: str
    allow: bool


def ancestor_paths(path: str) -> list[str]:
    """``/1/7/42/`` -> ``["/1/", "/1/7/", "/1/7/42/"]`` (the unit's subtree roots)."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


class FilingRules:
    """The delegation rules and plugin switches that bear on one unit, loaded at once."""

    def __init__(self, level: str, rules: Iterable[dict], switched_off: Iterable[str]) -> None:
        self.level = level
        self.rules: dict[str, list[Rule]] = {}
        for row in rules:
            self.rules.setdefault(row["item_code"], []).append(
                Rule(unit_path=row["unit_path"], level=row["level"], allow=bool(row["allow"]))
            )
        self.switched_off = frozenset(switched_off)

    def decide(self, item: Item, *, plugin: str, proxy: bool) -> Decision:
        if plugin in self.switched_off:
            return Decision(False, PLUGIN_OFF, "plugin_off")
        applicable = [r for r in self.rules.get(item.code, ()) if r.level in ("", self.level)]
        if applicable:
            # Deepest subtree first; a rule naming this level before "every level"; deny first.
            best = max(applicable, key=lambda r: (len(r.unit_path), r.level != "", not r.allow))
            allowed, source = best.allow, "rule"
        else:
            allowed, source = self.level in item.accept_levels, "default"
        if not allowed:
            return Decision(False, NOT_DELEGATED, source)
        if proxy and not item.proxy_allowed:
            return Decision(False, NO_PROXY, "item")
        return Decision(True, "", source)


async def filing_rules(unit: Mapping, item_codes: Iterable[str] | None = None) -> FilingRules:
    """Everything that decides what ``unit`` (with ``path`` and ``level``) may file."""
    ancestors = ancestor_paths(unit["path"])
    query = DelegationRule.select(
        DelegationRule.item_code, DelegationRule.unit_path, DelegationRule.level,
        DelegationRule.allow,
    ).where(DelegationRule.unit_path.is_in(ancestors))  # fmt: skip
    if item_codes is not None:
        codes = list(item_codes)
        if not codes:
            return FilingRules(unit["level"], [], [])
        query = query.where(DelegationRule.item_code.is_in(codes))
    switches = await PluginSwitch.select(PluginSwitch.plugin).where(
        PluginSwitch.unit_path.is_in(ancestors)
    )
    return FilingRules(unit["level"], await query, (s["plugin"] for s in switches))


async def may_file(item: Item, unit: Mapping, *, proxy: bool = False) -> Decision:
    """May ``item`` be filed at ``unit`` (a mapping with ``path`` and ``level``)?

    ``proxy``: filed by a village agent on a resident's behalf.
    """
    rules = await filing_rules(unit, [item.code])
    return rules.decide(item, plugin=get_catalog().item_plugin.get(item.code, ""), proxy=proxy)


async def available_items(unit: Mapping, *, proxy: bool = False) -> list[Item]:
    """The items ``unit`` may file, in catalogue order: one query for all of them."""
    catalog = get_catalog()
    rules = await filing_rules(unit)
    return [
        item
        for code, item in catalog.items.items()
        if rules.decide(item, plugin=catalog.item_plugin.get(code, ""), proxy=proxy).allowed
    ]


async def plugin_switched_off(plugin: str, unit_path: str) -> bool:
    """Whether ``plugin`` is off at the unit with this path (for plugins' own pages)."""
    return bool(
        await PluginSwitch.exists().where(
            (PluginSwitch.plugin == plugin)
            & PluginSwitch.unit_path.is_in(ancestor_paths(unit_path))
        )
    )
