"""Uploaded materials: one row per upload, the bytes stored by content hash under var/."""

from __future__ import annotations

from piccolo.columns import Boolean, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Upload(Table, tablename="materials_upload"):
    """A checked file, referenced from a case by ``public_id``.

    Staff, unit and case are plain ids: an upload is taken before its case
    exists and must outlive a deleted account, and this module sits beside
    cases rather than under it. Until ``case`` is set only the uploader may
    use or see it.
    """

    public_id = Varchar(length=64, unique=True)  # the upload store's token
    sha256 = Varchar(length=64, index=True)
    content_type = Varchar(length=32)
    size = Integer()
    filename = Varchar(length=255)
    width = Integer(null=True, default=None)
    height = Integer(null=True, default=None)
    pages = Integer(null=True, default=None)
    has_thumb = Boolean(default=False)
    purpose = Varchar(length=16, default="material")  # material | field | consent
    material_code = Varchar(length=64, default="")  # the item's material it stands for
    uploaded_by = Integer(index=True)
    unit = Integer(null=True, default=None)
    case = Integer(null=True, default=None, index=True)
    round = Integer(default=0)  # 0: filed with the case; n: the n-th supplement
    removed = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    attached_at = Timestamptz(null=True, default=None)
