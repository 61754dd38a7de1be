"""The e-licence library (电子证照库): issued licences, and their use as later cases' materials."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.cases.tables import Case
from core.signing.tables import Document
from core.tenancy.tables import Staff


class Licence(Table, tablename="licences_licence"):
    """One issued e-licence: a signed document indexed by type and holder.

    ``holder_hash`` is the keyed hash core.residents files the holder's ID
    number under (``Resident.id_number_hash``), never the number itself.
    """

    licence_number = Varchar(length=64, unique=True)
    licence_type = Varchar(length=64, index=True)
    holder_hash = Varchar(length=64, index=True)
    holder_name = Varchar(length=64)
    title = Varchar(length=256)
    item_code = Varchar(length=32)
    case = ForeignKey(Case, unique=True)
    document = ForeignKey(Document, unique=True)
    issued_at = Timestamptz()
    valid_until = Date(null=True, default=None)  # None: no expiry (长期)
    status = Varchar(length=16, default="valid")  # valid | cancelled


class LicenceUse(Table, tablename="licences_use"):
    """A licence attached to a later case in place of a material, with the check made then."""

    use_key = Varchar(length=96, unique=True)  # "<case>:<material code>"
    case = ForeignKey(Case, index=True)
    material_code = Varchar(length=64)
    licence = ForeignKey(Licence, index=True)
    verified_status = Varchar(length=16)
    verified_reason = Varchar(length=128, default="")
    attached_by = ForeignKey(Staff, null=True)
    attached_at = Timestamptz(default=TimestamptzNow())
