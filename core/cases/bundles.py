"""Bundles (一件事): one application that creates several linked cases across departments.

A plugin declares a bundle through ``tongban_bundles``: two or more item
codes (from any plugins), the materials collected once for all of them,
and a name. Filing a bundle checks, as a single filing does, that every item
may be filed at the unit and that a unit can take each step of each of them
(refused up front otherwise, nothing written); it validates the shared
applicant section once and each item's own form, then — in one transaction —
creates the bundle row with its own tracking code and one case per item, each
routed through the tree like any other case. The resident follows all of them
with the bundle's code on the public status page.
"""

from __future__ import annotations

from functools import lru_cache

import msgspec

from core.cases import filing, routing, services, timing
from core.cases.declarations import Bundle
from core.cases.errors import BundleNotAvailable
from core.cases.tables import Bundle as BundleRow
from core.cases.tables import Case
from core.catalog.forms import FieldError
from core.catalog.items import Item
from core.catalog.registry import Catalog, get_catalog
from core.catalog.routability import check_routable
from core.db import transaction
from core.errors import TongbanError, ValidationFailed
from core.i18n import N_
from core.plugins import PluginError, collect, get_plugin_manager
from core.tenancy.scope import Principal


def check_bundle(bundle: Bundle, catalog: Catalog) -> list[str]:
    """Every problem with a declaration, each naming the field."""
    problems = []
    if not bundle.code or not bundle.code.replace("_", "").isalnum() or len(bundle.code) > 32:
        problems.append(f"code: letters, digits and _ only, at most 32, got {bundle.code!r}")
    if len(set(bundle.items)) < 2:
        problems.append("items: a bundle needs at least two different items")
    unknown = [code for code in bundle.items if code not in catalog.items]
    for code in unknown:
        problems.append(f"items: unknown item {code!r}")
    materials = {
        m.code
        for code in bundle.items
        if code in catalog.items
        for m in catalog.items[code].materials
    }
    for code in bundle.shared_materials:
        if code not in materials:
            problems.append(f"shared_materials: {code!r} is not a material of any of its items")
    return problems


def build_bundles(pm, catalog: Catalog) -> dict[str, tuple[str, Bundle]]:
    """Every declared bundle by code, with the plugin that declared it."""
    found: dict[str, tuple[str, Bundle]] = {}
    for plugin, entry in collect(pm, "tongban_bundles"):
        try:
            bundle = entry if isinstance(entry, Bundle) else msgspec.convert(entry, Bundle)
        except msgspec.ValidationError as exc:
            raise PluginError(plugin, f"bundle: {exc}") from exc
        if bundle.code in found:
            raise PluginError(
                plugin, f"bundle {bundle.code}: already declared by {found[bundle.code][0]!r}"
            )
        problems = check_bundle(bundle, catalog)
        if problems:
            raise PluginError(plugin, f"bundle {bundle.code}: " + "; ".join(problems))
        found[bundle.code] = (plugin, bundle)
    return found


@lru_cache(maxsize=1)
def get_bundles() -> dict[str, tuple[str, Bundle]]:
    return build_bundles(get_plugin_manager(), get_catalog())


def bundle(code: str) -> Bundle | None:
    entry = get_bundles().get(code)
    return entry[1] if entry else None


def items_of(declaration: Bundle) -> list[Item]:
    catalog = get_catalog()
    return [catalog.items[code] for code in declaration.items]


async def available_bundles(unit: dict, *, proxy: bool) -> list[Bundle]:
    """Bundles every item of which may be filed at ``unit``."""
    result = []
    for _, declaration in get_bundles().values():
        try:
            for item in items_of(declaration):
                await services.check_item_available(item, unit, proxy=proxy)
        except TongbanError:
            continue
        result.append(declaration)
    return result


def shared_material_choices(declaration: Bundle) -> list:
    """The shared materials with their names (from the first item that lists each)."""
    chosen = {}
    for item in items_of(declaration):
        for m in item.materials:
            if m.code in declaration.shared_materials and m.code not in chosen:
                chosen[m.code] = m
    return [chosen[c] for c in declaration.shared_materials if c in chosen]


async def submit_bundle(
    principal: Principal,
    *,
    unit_id: int,
    bundle_code: str,
    applicant: dict,
    data: dict[str, dict],
    materials: list[str] | tuple[str, ...] = (),
    idempotency_key: str | None = None,
    authorisation_id: int | None = None,
) -> dict:
    """File a bundle: ``{id, tracking_code, cases: [{id, tracking_code, item_code}]}``.

    ``data`` maps each item code to that item's form values. All errors of
    all forms are reported at once (paths ``<item code>.<field>``); nothing
    is created unless every case can be.
    """
    if idempotency_key:
        existing = await _existing(idempotency_key, principal.staff_id)
        if existing:
            return existing
    unit = services.filing_unit(principal, unit_id)
    declaration = bundle(bundle_code)
    if declaration is None:
        raise BundleNotAvailable(unit=unit["name"], reason=N_("no such bundle"))
    proxy = any(m.unit_id == unit_id for m in principal.memberships_with("village_agent"))
    items = items_of(declaration)
    for item in items:
        # Refused with the item's own reason: "not delegated to this level" …
        await services.check_item_available(item, unit, proxy=proxy)
    for item in items:
        # … or, as a single filing is, because a case of it would stop at a step no unit
        # takes from here: told now, nothing written, rather than one case stuck later.
        await check_routable(item, unit)
    person, values, errors = None, {}, []
    for item in items:
        try:
            person, values[item.code] = await services.validate_submission(
                item, unit, applicant, data.get(item.code) or {}, staff_id=principal.staff_id
            )
        except ValidationFailed as failed:
            errors += [_prefixed(item, e) for e in failed.errors]
    if errors:
        raise ValidationFailed(_unique(errors))
    shared = [c for c in dict.fromkeys(materials) if c in declaration.shared_materials]
    # An agent files with the resident's recorded consent (代办授权, core/signing): one
    # consent covers the whole bundle; it is bound to the bundle's first case.
    from core.signing import authorisations

    consent = (
        await authorisations.consent_for(
            principal,
            unit_id=unit["id"],
            item_code=items[0].code,
            id_number=person["id_number"],
            authorisation_id=authorisation_id,
        )
        if proxy
        else {}
    )
    resident_id = await filing.resident_for(person)
    now = timing.utcnow()
    try:
        async with transaction():
            first_unit = await routing.route_step(items[0], items[0].workflow.steps[0], unit)
            code = await filing.next_tracking_code(
                filing.division_of(first_unit["code"]), filing.local_today(now)
            )
            row = (
                await BundleRow.insert(
                    BundleRow(
                        bundle_code=declaration.code,
                        tracking_code=code,
                        resident=resident_id,
                        filed_unit=unit["id"],
                        filed_by=principal.staff_id,
                        scope_path=unit["path"],
                        materials=shared,
                        idempotency_key=idempotency_key,
                        created_at=now,
                    )
                ).returning(BundleRow.id)
            )[0]
            cases = []
            for item in items:
                created = await filing.create_case(
                    principal,
                    unit=unit,
                    item=item,
                    values=values[item.code],
                    resident_id=resident_id,
                    proxy=proxy,
                    now=now,
                    bundle_id=row["id"],
                    payload={
                        **consent,
                        "bundle": code,
                        "bundle_code": declaration.code,
                        "shared_materials": shared,
                    },
                )
                cases.append({**created, "item_code": item.code})
            if consent:
                await authorisations.bind(consent, cases[0]["id"])
    except Exception:
        existing = await _existing(idempotency_key) if idempotency_key else None
        if existing:
            return existing
        raise
    return {"id": row["id"], "tracking_code": code, "cases": cases}


def _prefixed(item: Item, error: FieldError) -> FieldError:
    if error.path.startswith("applicant."):
        return error
    return FieldError(path=f"{item.code}.{error.path}", message=error.message, params=error.params)


def _unique(errors: list[FieldError]) -> list[FieldError]:
    seen, result = set(), []
    for e in errors:
        if (e.path, e.message) not in seen:
            seen.add((e.path, e.message))
            result.append(e)
    return result


async def _existing(idempotency_key: str, staff_id: int | None = None) -> dict | None:
    row = await BundleRow.select().where(BundleRow.idempotency_key == idempotency_key).first()
    if row is None or (staff_id is not None and row["filed_by"] != staff_id):
        return None
    cases = (
        await Case.select(Case.id, Case.tracking_code, Case.item_code)
        .where(Case.bundle == row["id"])
        .order_by(Case.id)
    )
    return {"id": row["id"], "tracking_code": row["tracking_code"], "cases": cases}


async def filed_bundle(principal: Principal, bundle_id: int) -> tuple[dict, list[dict]]:
    """A bundle and those of its cases the principal may see; "no such case" otherwise."""
    from core.cases.tables import Task
    from core.errors import CaseNotFound
    from core.tenancy.scope import case_visibility

    where = case_visibility(principal, Case, Task)
    row = await BundleRow.select().where(BundleRow.id == bundle_id).first()
    if row is None or where is None:
        raise CaseNotFound()
    cases = await (
        Case.select(Case.id, Case.tracking_code, Case.item_code, Case.state)
        .where((Case.bundle == bundle_id) & where)
        .order_by(Case.id)
    )
    if not cases:
        raise CaseNotFound()
    return row, cases
