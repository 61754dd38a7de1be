"""Tables of the catalogue: item versions as filed (the declarations live in plugins)."""

from __future__ import annotations

from piccolo.columns import JSONB, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class ItemVersion(Table, tablename="catalog_item_version"):
    """A snapshot of an item's declaration. A case keeps the version it was filed under,
    so a plugin that changes an item's form does not break cases in progress."""

    code = Varchar(length=32, index=True)
    version = Integer()
    fingerprint = Varchar(length=64, unique=True)
    plugin = Varchar(length=64)
    definition = JSONB()
    created_at = Timestamptz(default=TimestamptzNow())
