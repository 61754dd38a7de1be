"""Tables of the tenancy module: levels, units, staff, memberships, tokens, admin audit."""

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
    # Unit kinds an admin marked as allowed at this level; [] = the kinds' own declarations.
    unit_kinds = JSON(default=[])


class Unit(Table, tablename="tenancy_unit"):
    """A node of the tree. ``path`` is the materialised path of unit codes:
    ``/509900000000/509910000000/509910101000/``.

    "Everything under this township" is ``path LIKE '/…/509910101000/%'``: one
    indexed prefix query on both engines (a ``varchar_pattern_ops`` index on
    PostgreSQL, a ``COLLATE NOCASE`` index on SQLite, whose LIKE ignores ASCII
    case; codes are therefore unique regardless of case and never contain the
    wildcards ``%`` or ``_``).
    """

    code = Varchar(length=32, unique=True)  # 12-digit division code where it has one
    name = Varchar(length=128)
    name_en = Varchar(length=128, default="")
    kind = Varchar(length=32, index=True)
    level = Varchar(length=32, index=True)
    parent = ForeignKey("self", null=True, index=True)  # children of a unit: the tree browser
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
    # Bumped when the password changes or the account is disabled: older sessions die.
    auth_epoch = Integer(default=0)
    # A department system acting through an API token; it never logs in with a password.
    service = Boolean(default=False)
    password_changed_at = Timestamptz(null=True, default=None)


class Membership(Table, tablename="tenancy_membership"):
    staff = ForeignKey(Staff, index=True)
    unit = ForeignKey(Unit, index=True)
    role = Varchar(length=32)


class ApiToken(Table, tablename="tenancy_api_token"):
    """A department system's bearer token, scoped to one unit and one role.

    Only a SHA-256 of the secret is kept (the secret is 256 random bits, so a
    fast hash is enough and lets a request find its token by an index lookup).
    """

    name = Varchar(length=64)
    prefix = Varchar(length=16)  # first characters of the secret, to recognise it in lists
    secret_hash = Varchar(length=64, unique=True)
    staff = ForeignKey(Staff)  # the service account events are attributed to
    unit = ForeignKey(Unit, index=True)
    role = Varchar(length=32)
    created_by = ForeignKey(Staff, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)


class AdminEvent(Table, tablename="tenancy_admin_event"):
    """Append-only log of admin actions (units, levels, staff, tokens).

    ``unit`` is the unit the action concerns; reads are scoped through it, so
    the log of a village that moved follows it to its new township.
    """

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(Staff, null=True)
    actor_name = Varchar(length=64, default="")
    action = Varchar(length=32, index=True)
    unit = ForeignKey(Unit, null=True, index=True)
    target = Varchar(length=160, default="")  # what was acted on, as shown in the log
    details = JSON(default={})
