"""Tables of the tenancy module: levels, units, staff and memberships."""

from __future__ import annotations

from piccolo.columns import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class LevelRow(Table, tablename="tenancy_level"):
    key = Varchar(length=32, unique=True)
    name = Varchar(length=64)
    name_en = Varchar(length=64, default="")
    depth = SmallInt()
    unit_kinds = JSON(default=[])  # unit kind keys allowed at this level; [] = any


class Unit(Table, tablename="tenancy_unit"):
    """A node of the tree. ``path`` is the materialised path of ids: ``/1/7/42/``.

    "Everything under this township" is ``path LIKE '/1/7/%'``, one indexed
    prefix query on SQLite and PostgreSQL alike.
    """

    code = Varchar(length=32, unique=True)  # 12-digit division code where it has one
    name = Varchar(length=128)
    name_en = Varchar(length=128, default="")
    kind = Varchar(length=32, index=True)
    level = Varchar(length=32, index=True)
    parent = ForeignKey("self", null=True)
    path = Varchar(length=512, index=True, default="")
    depth = SmallInt(default=1)
    active = Boolean(default=True)


class Staff(Table, tablename="tenancy_staff"):
    username = Varchar(length=64, unique=True)
    display_name = Varchar(length=64)
    password_hash = Text()
    active = Boolean(default=True)
    must_change_password = Boolean(default=False)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Membership(Table, tablename="tenancy_membership"):
    staff = ForeignKey(Staff, index=True)
    unit = ForeignKey(Unit, index=True)
    role = Varchar(length=32)
