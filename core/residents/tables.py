"""Residents (applicants). Personal numbers are encrypted, with a keyed hash to look them up."""

from __future__ import annotations

from piccolo.columns import Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Resident(Table, tablename="residents_resident"):
    name = Varchar(length=64)
    birth_date = Date(null=True, default=None)
    id_number_enc = Text(default="")
    id_number_hash = Varchar(length=64, unique=True, null=True, default=None)
    id_last4 = Varchar(
        length=64, default=""
    )  # keyed hash of the last 4, the status page's second factor
    phone_enc = Text(default="")
    phone_hash = Varchar(length=64, index=True, default="")
    phone_last4 = Varchar(length=64, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    # Keyed hash of the normalised name and the birth date: "name + birth date"
    # lookups use this index instead of scanning names.
    name_birth_hash = Varchar(length=64, index=True, default="")
    # Where the resident was registered (ids, not foreign keys: residents sit
    # below tenancy in the import graph). Name and phone searches are scoped
    # by ``scope_path``; a lookup by full ID number is not (the card is in hand).
    registered_unit = Integer(null=True, default=None)
    registered_by = Integer(null=True, default=None)
    scope_path = Varchar(length=512, index=True, default="")


class ResidentAccess(Table, tablename="residents_access"):
    """Append-only: every time a staff member saw a resident's full ID or phone number."""

    resident = Integer(index=True)
    staff = Integer(index=True)
    staff_name = Varchar(length=64, default="")
    unit = Integer(null=True, default=None)
    role = Varchar(length=32, default="")
    field = Varchar(length=16)  # id_number | phone
    purpose = Varchar(length=200, default="")
    at = Timestamptz(default=TimestamptzNow())
