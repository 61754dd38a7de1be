"""Residents (applicants). Personal numbers are encrypted, with a keyed hash to look them up."""

from __future__ import annotations

from piccolo.columns import Date, Text, Timestamptz, Varchar
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
