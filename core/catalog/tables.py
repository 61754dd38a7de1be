"""Tables of the catalogue.

The declarations themselves live in plugins; the database keeps what must
outlive a plugin release or what a city admin decides:

- item versions as filed (a case keeps the version it was filed under);
- delegation rules (事项下沉): per item and subtree, where it may be filed;
- plugin switches: a department plugin turned off for a subtree (a district);
- an append-only log of every admin decision about the two above.
"""

from __future__ import annotations

from piccolo.columns import JSON, JSONB, Boolean, Integer, Timestamptz, Varchar
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


class DelegationRule(Table, tablename="catalog_delegation_rule"):
    """A city admin's override of where an item may be filed (事项下沉).

    Applies to the subtree rooted at ``unit_path``; ``level`` narrows it to
    units of one level ("" = every level). Without any rule the plugin's
    proposal (``Item.accept_levels``) holds. ``key`` ("item|unit code|level")
    keeps one rule per (item, subtree, level), on SQLite and PostgreSQL alike.
    """

    key = Varchar(length=600, unique=True)
    item_code = Varchar(length=32, index=True)
    unit_code = Varchar(length=32)
    unit_path = Varchar(length=512, index=True)
    level = Varchar(length=32, default="")
    allow = Boolean()
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class PluginSwitch(Table, tablename="catalog_plugin_switch"):
    """A plugin turned off for the subtree at ``unit_path``: its items are hidden
    there and new cases refused; cases already filed carry on."""

    key = Varchar(length=600, unique=True)
    plugin = Varchar(length=64, index=True)
    unit_code = Varchar(length=32)
    unit_path = Varchar(length=512, index=True)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class CatalogAdminEvent(Table, tablename="catalog_admin_event"):
    """Append-only: who changed which delegation rule or plugin switch, when, and why."""

    kind = Varchar(length=32)  # rule_set, rule_cleared, plugin_disabled, plugin_enabled
    item_code = Varchar(length=32, default="", index=True)
    plugin = Varchar(length=64, default="")
    unit_code = Varchar(length=32)
    unit_path = Varchar(length=512)
    detail = JSON(default={})
    reason = Varchar(length=500, default="")
    actor = Integer(null=True, default=None)
    actor_name = Varchar(length=64, default="")
    at = Timestamptz(default=TimestamptzNow())


class Upload(Table, tablename="catalog_upload"):
    """A file uploaded for a form's file field, before and after its case is filed.

    The bytes live encrypted under ``var/uploads/``; ``token`` is the id the
    form carries. Only its uploader may put it into a submission, so a guessed
    token is refused by the validator (``files=`` holds only the uploader's).
    """

    token = Varchar(length=64, unique=True)
    staff = Integer(index=True)
    filename = Varchar(length=255)
    content_type = Varchar(length=128)
    size = Integer()
    sha256 = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
