"""Item versions: the snapshot of a declaration a case was filed under."""

from __future__ import annotations

import msgspec

from core.catalog.items import Item, item_from_json
from core.catalog.registry import get_catalog
from core.catalog.tables import ItemVersion

_ids_by_fingerprint: dict[str, int] = {}


async def item_version_id(item: Item) -> int:
    """The id of this exact declaration's version row, created on first use."""
    fingerprint = item.fingerprint()
    if fingerprint in _ids_by_fingerprint:
        return _ids_by_fingerprint[fingerprint]
    row = (
        await ItemVersion.select(ItemVersion.id)
        .where(ItemVersion.fingerprint == fingerprint)
        .first()
    )
    if row is None:
        latest = (
            await ItemVersion.select(ItemVersion.version)
            .where(ItemVersion.code == item.code)
            .order_by(ItemVersion.version, ascending=False)
            .first()
        )
        try:
            row = (
                await ItemVersion.insert(
                    ItemVersion(
                        code=item.code,
                        version=(latest["version"] + 1) if latest else 1,
                        fingerprint=fingerprint,
                        plugin=get_catalog().item_plugin.get(item.code, ""),
                        definition=msgspec.json.encode(item).decode(),
                    )
                ).returning(ItemVersion.id)
            )[0]
        except Exception:
            # Another process registered the same version at the same moment.
            row = (
                await ItemVersion.select(ItemVersion.id)
                .where(ItemVersion.fingerprint == fingerprint)
                .first()
            )
            if row is None:
                raise
    _ids_by_fingerprint[fingerprint] = row["id"]
    return row["id"]


async def sync_versions() -> int:
    """Register the current version of every item (at start-up); returns how many were new."""
    before = await ItemVersion.count()
    for item in get_catalog().items.values():
        await item_version_id(item)
    return await ItemVersion.count() - before


# A version row is written once and never changed: its decoded item is kept by id, so
# the case pages and the worker's jobs need not read and decode the definition again.
_items_by_version: dict[int, Item] = {}
_KEEP = 512


async def item_for_version(version_id: int) -> Item:
    item = _items_by_version.get(version_id)
    if item is not None:
        return item
    row = (
        await ItemVersion.select(ItemVersion.definition).where(ItemVersion.id == version_id).first()
    )
    definition = row["definition"]
    item = item_from_json(
        definition.encode() if isinstance(definition, str) else msgspec.json.encode(definition)
    )
    if len(_items_by_version) >= _KEEP:
        del _items_by_version[next(iter(_items_by_version))]  # the oldest kept
    _items_by_version[version_id] = item
    return item
