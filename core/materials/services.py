"""Uploads of materials: store, list, attach to a case, and decide who may read them.

An upload belongs to the staff member who took it until it is attached to a
case; from then on whoever may see the case may see it. The form validator
gets :func:`file_infos` — only this person's own, unattached (or this
case's) uploads — so a file id typed into a form cannot borrow someone
else's file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.catalog import uploads as files
from core.catalog.forms import FileInfo
from core.errors import NotFound, PermissionDenied
from core.i18n import N_
from core.materials.storage import DEFAULT_MAX_BYTES, Checked, ThumbnailStore, check
from core.materials.tables import Upload
from core.settings import get_settings
from core.tenancy.scope import Principal

UPLOAD_ROLES = ("village_agent", "window_clerk")
PURPOSES = ("material", "field", "consent")
MAX_PER_CASE = 60


class UploadNotFound(NotFound):
    message = N_("No such file.")


@lru_cache(maxsize=1)
def thumbs() -> ThumbnailStore:
    settings = get_settings()
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"tongban thumbnails v1"
    ).derive(settings.data_key)
    return ThumbnailStore(settings.var_dir / "materials", key)


def max_bytes() -> int:
    """The site's per-file limit (``[materials] max_bytes`` in site.toml)."""
    configured = get_settings().site.get("materials", {}).get("max_bytes")
    return int(configured) if configured else DEFAULT_MAX_BYTES


def _uploader_membership(principal: Principal, unit_id: int | None):
    for m in principal.memberships_with(*UPLOAD_ROLES):
        if unit_id is None or m.unit_id == unit_id:
            return m
    raise PermissionDenied()


async def upload(
    principal: Principal,
    data: bytes,
    filename: str,
    *,
    material_code: str = "",
    purpose: str = "material",
    unit_id: int | None = None,
    same_as: Iterable[str] = (),
) -> dict:
    """Check and store one file; returns its row. Raises ``storage.Rejected``.

    ``same_as``: uploads already in the form for this slot. A file identical to
    one of them (the page sent it as soon as it was chosen, then the form post
    carried it again) is not stored twice: that upload is returned.
    """
    membership = _uploader_membership(principal, unit_id)
    if purpose not in PURPOSES:
        purpose = "material"
    # Decoding and re-encoding an image takes a while; keep the event loop free.
    checked: Checked = await asyncio.to_thread(check, data, filename, max_bytes=max_bytes())
    for existing in await usable(principal, same_as):
        if existing["sha256"] == checked.sha256:
            return existing
    # The bytes go to the catalogue's upload store, which the form validator consults.
    stored = await files.store(
        principal.staff_id, checked.filename, checked.content_type, checked.data
    )
    if checked.thumbnail is not None:
        await asyncio.to_thread(thumbs().put, stored["token"], checked.thumbnail)
    row = Upload(
        public_id=stored["token"],
        sha256=checked.sha256,
        content_type=checked.content_type,
        size=len(checked.data),
        filename=checked.filename,
        width=checked.width,
        height=checked.height,
        pages=checked.pages,
        has_thumb=checked.thumbnail is not None,
        purpose=purpose,
        material_code=material_code[:64],
        uploaded_by=principal.staff_id,
        unit=membership.unit_id,
    )
    await row.save()
    # The row as ``Upload.select()`` would read it back, without reading it back.
    return row.to_dict()


def _ids(public_ids: Iterable[str]) -> list[str]:
    return [p for p in dict.fromkeys(public_ids) if isinstance(p, str) and 0 < len(p) <= 64]


async def usable(
    principal: Principal, public_ids: Iterable[str], *, case_id: int | None = None
) -> list[dict]:
    """The listed uploads this principal may put into a submission, in the given order."""
    ids = _ids(public_ids)
    if not ids:
        return []
    mine = (Upload.uploaded_by == principal.staff_id) & (Upload.removed == False)  # noqa: E712
    owner = (
        Upload.case.is_null()
        if case_id is None
        else (Upload.case.is_null() | (Upload.case == case_id))
    )
    rows = await Upload.select().where(Upload.public_id.is_in(ids) & mine & owner)
    by_id = {r["public_id"]: r for r in rows}
    return [by_id[i] for i in ids if i in by_id]


async def file_infos(
    principal: Principal, public_ids: Iterable[str], *, case_id: int | None = None
) -> dict[str, FileInfo]:
    """``{id: FileInfo}`` for the form validator's ``files=`` argument."""
    return {
        r["public_id"]: FileInfo(
            content_type=r["content_type"], size=r["size"], filename=r["filename"]
        )
        for r in await usable(principal, public_ids, case_id=case_id)
    }


async def attach(principal: Principal, case_id: int, public_ids: Iterable[str], *, round: int = 0):
    """Bind the principal's unattached uploads to ``case_id``. Call inside the case's transaction.

    One statement: the uploads :func:`usable` would list are the ones updated.
    """
    ids = _ids(public_ids)
    if not ids:
        return 0
    mine = (Upload.uploaded_by == principal.staff_id) & (Upload.removed == False)  # noqa: E712
    bound = await (
        Upload.update(
            {Upload.case: case_id, Upload.round: round, Upload.attached_at: datetime.now(UTC)}
        )
        .where(Upload.public_id.is_in(ids) & mine & Upload.case.is_null())
        .returning(Upload.id)
    )
    return len(bound)


async def for_case(case_id: int) -> list[dict]:
    """Uploads attached to a case, oldest first. Call only after checking the case is visible."""
    return await (
        Upload.select()
        .where((Upload.case == case_id) & (Upload.removed == False))  # noqa: E712
        .order_by(Upload.id)
        .limit(MAX_PER_CASE * 4)
    )


async def readable(principal: Principal, public_id: str) -> dict:
    """The upload if the principal may see it: its uploader, or anyone who may see its case."""
    if not isinstance(public_id, str) or len(public_id) > 64:
        raise UploadNotFound()
    row = await Upload.select().where(Upload.public_id == public_id).first()
    if row is None or row["removed"]:
        raise UploadNotFound()
    if row["uploaded_by"] == principal.staff_id:
        return row
    if row["case"] is None:
        raise UploadNotFound()
    from core.cases.tables import Case, Task  # cases sit beside materials
    from core.tenancy.scope import document_visibility

    where = document_visibility(principal, Upload.case, Case, Task)
    if where is None or not await Upload.exists().where((Upload.id == row["id"]) & where):
        raise UploadNotFound()
    return row


async def remove(principal: Principal, public_id: str) -> None:
    """Withdraw an upload not yet filed with a case (the agent took the wrong photo)."""
    row = await readable(principal, public_id)
    if row["uploaded_by"] != principal.staff_id or row["case"] is not None:
        raise PermissionDenied()
    await Upload.update({Upload.removed: True}).where(Upload.id == row["id"])


async def content(row: dict) -> bytes:
    found = await files.read(row["public_id"])
    if found is None:
        raise UploadNotFound()
    return found[1]


def thumbnail(row: dict) -> bytes | None:
    return thumbs().read(row["public_id"]) if row["has_thumb"] else None
