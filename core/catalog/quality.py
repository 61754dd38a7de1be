"""Catalogue quality rules, checked when a plugin's items load.

They mirror the checks the national government-service catalogue runs on
implementation lists: each returns messages naming the offending field.
"""

from __future__ import annotations

from core.catalog.forms import check_form
from core.catalog.items import Item
from core.catalog.workflow import check_workflow


def check_item(item: Item, *, roles: set[str], unit_kinds: set[str], levels: set[str]) -> list[str]:
    problems: list[str] = []
    if len(item.code) != 12 or not item.code.isalnum():
        problems.append(f"code: the basic code must be 12 letters or digits, got {item.code!r}")
    if item.committed_days == 0 and not item.instant:
        problems.append(
            "instant: an item committed 'on the spot' (committed_days = 0) must be instant"
        )
    if item.instant and item.committed_days != 0:
        problems.append("committed_days: an instant item is decided on the spot (0 days)")
    if item.committed_days > item.statutory_days:
        problems.append("committed_days: the committed limit may not exceed the statutory limit")
    if item.visits > 0 and not item.visit_reason.strip():
        problems.append("visit_reason: an item needing on-site visits must state why")
    if item.online_depth == 4 and item.visits != 0:
        problems.append("visits: a fully online item (online_depth 4) needs 0 visits")
    if item.visits == 0 and item.online_depth < 4 and not item.postal_delivery:
        problems.append("postal_delivery: a 0-visit item that is not fully online must accept post")
    if not 1 <= item.online_depth <= 4:
        problems.append("online_depth: must be 1 (information) to 4 (fully online)")
    for index, fee in enumerate(item.fees):
        if not fee.legal_basis.strip():
            problems.append(f"fees[{index}].legal_basis: a fee needs its legal basis")
    codes = [m.code for m in item.materials]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(f"materials: duplicate material code {code!r}")
    if item.department not in unit_kinds:
        problems.append(f"department: unknown unit kind {item.department!r}")
    for level in item.accept_levels:
        if level not in levels:
            problems.append(f"accept_levels: unknown level {level!r}")
    if item.result and item.result.licence_type and not item.result.licence_type.strip():
        problems.append("result.licence_type: must not be blank")
    problems += [f"form.{p}" for p in check_form(item.form, materials=set(codes))]
    problems += check_workflow(item.workflow, roles=roles, unit_kinds=unit_kinds, levels=levels)
    return problems
