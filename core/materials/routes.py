"""Upload a material from the tablet camera or a file; show its thumbnail; fetch it.

One upload per request: the page sends each file as soon as it is chosen
(htmx), so a slow village connection loses at most one photo, and each
answer is a small fragment. The same field names (``upload.<material>``,
``upload_field.<path>``) work in a plain form post without JavaScript: the
filing pages store such files through :func:`store_posted_files`.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from core.i18n import N_, gettext
from core.materials import services
from core.materials.storage import Rejected
from core.tenancy.scope import Principal
from core.web.guards import login_required, provide_principal
from core.web.locale import current_locale

SLOT_RE = re.compile(
    r"(upload|upload_field)\.([a-z][a-z0-9_]*(?:\[[0-9]{1,4}\]|\.[a-z][a-z0-9_]*)*)\Z"
)
CONSENT_SLOT = "upload_consent"
NO_FILE = N_("No file was received.")
# The body may carry a little more than the file itself (the other form parts).
BODY_SLACK = 256 * 1024


def slot_of(name: str) -> tuple[str, str] | None:
    """``upload.id_card`` -> ("material", "id_card"); ``upload_field.photo`` -> ("field", "photo")."""
    if name == CONSENT_SLOT:
        return ("consent", "")
    match = SLOT_RE.match(name)
    if not match:
        return None
    return ("material" if match.group(1) == "upload" else "field", match.group(2))


def dom_id(text: str) -> str:
    """A safe element id for a slot or field path."""
    return re.sub(r"[^a-zA-Z0-9_-]", "-", text)


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """Read at most ``limit + 1`` bytes: enough to tell that a file is too large."""
    return await file.read(limit + 1)


async def store_posted_files(
    principal: Principal, pairs: list[tuple[str, Any]], *, unit_id: int | None = None
) -> tuple[dict[str, list[str]], dict[str, str], dict[str, list[tuple[str, dict]]]]:
    """Store the files of a plain (no-JavaScript) form post.

    Returns ``(materials, fields, errors)``: material code -> new upload ids,
    field path -> new upload id, and slot -> [(msgid, params)] for refused files.
    """
    materials: dict[str, list[str]] = {}
    fields: dict[str, str] = {}
    errors: dict[str, list[tuple[str, dict]]] = {}
    for name, value in pairs:
        if not isinstance(value, UploadFile) or not value.filename:
            continue
        slot = slot_of(name)
        if slot is None or slot[0] == "consent":
            continue
        purpose, key = slot
        data = await read_upload(value, services.max_bytes())
        # What the page already holds for this slot (sent earlier by htmx).
        held = [
            v
            for k, v in pairs
            if isinstance(v, str) and k == (f"_material.{key}" if purpose == "material" else key)
        ]
        try:
            row = await services.upload(
                principal,
                data,
                value.filename,
                material_code=key if purpose == "material" else "",
                purpose=purpose,
                unit_id=unit_id,
                same_as=held,
            )
        except Rejected as refused:
            errors.setdefault(name, []).append((refused.message, refused.params))
            continue
        if purpose == "material":
            materials.setdefault(key, []).append(row["public_id"])
        else:
            fields[key] = row["public_id"]
    return materials, fields, errors


class MaterialsController(Controller):
    path = "/materials"
    guards = [login_required]
    dependencies = {"principal": Provide(provide_principal)}

    @post(
        "/upload",
        name="materials.upload",
        request_max_body_size=services.DEFAULT_MAX_BYTES * 3 + BODY_SLACK,
    )
    async def upload(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        form = await request.form()
        pairs = list(form.multi_items())
        file_pair = next(((k, v) for k, v in pairs if isinstance(v, UploadFile)), None)
        slot = slot_of(file_pair[0]) if file_pair else None
        if file_pair is None or slot is None:
            return self._error(None, gettext(current_locale.get(), NO_FILE))
        name, file = file_pair
        purpose, key = slot
        try:
            data = await read_upload(file, services.max_bytes())
            row = await services.upload(
                principal,
                data,
                file.filename or "",
                material_code=key if purpose == "material" else "",
                purpose=purpose,
            )
        except Rejected as refused:
            message = gettext(current_locale.get(), refused.message, **refused.params)
            return self._error(name, message)
        return Template(
            "materials/partials/uploaded.html",
            context={"u": row, "slot": name, "purpose": purpose, "key": key},
        )

    def _error(self, slot: str | None, message: str) -> Template:
        target = f"#err-{dom_id(slot)}" if slot else "#messages"
        return Template(
            "materials/partials/upload_error.html",
            context={"message": message},
            headers={"HX-Retarget": target, "HX-Reswap": "innerHTML"},
        )

    @get("/of-case/{case_id:int}", name="materials.of_case")
    async def of_case(
        self, request: Request, principal: NamedDependency[Principal], case_id: FromPath[int]
    ) -> Template:
        """The files filed with a case, by the item's material list (a fragment, or a page)."""
        from core.cases.services import case_detail, visible_case  # the web layer looks upwards

        case = await visible_case(principal, case_id)
        item = (await case_detail(case))["item"]
        uploads: dict[str, list[dict]] = {}
        for row in await services.for_case(case_id):
            uploads.setdefault(row["material_code"], []).append(row)
        context = {"case": case, "item": item, "uploads": uploads}
        template = "materials/partials/of_case.html" if request.htmx else "materials/of_case.html"
        return Template(template, context=context)

    @get("/{public_id:str}/thumb", name="materials.thumb")
    async def thumb(
        self, principal: NamedDependency[Principal], public_id: FromPath[str]
    ) -> Response:
        row = await services.readable(principal, public_id)
        data = services.thumbnail(row)
        if data is None:
            raise services.UploadNotFound()
        return Response(
            data,
            media_type="image/jpeg",
            headers={
                "Cache-Control": "private, max-age=86400",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @get("/{public_id:str}", name="materials.file")
    async def file(
        self, principal: NamedDependency[Principal], public_id: FromPath[str]
    ) -> Response:
        row = await services.readable(principal, public_id)
        return Response(
            await services.content(row),
            media_type=row["content_type"],
            headers={
                "Content-Disposition": f"inline; filename*=UTF-8''{quote(row['filename'])}",
                "Cache-Control": "private, max-age=3600",
                "X-Content-Type-Options": "nosniff",
                # Even a file that fooled the checks cannot run script in our origin.
                "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; object-src 'self'",
            },
        )

    @post("/{public_id:str}/remove", name="materials.remove")
    async def remove(
        self, principal: NamedDependency[Principal], public_id: FromPath[str]
    ) -> Response:
        await services.remove(principal, public_id)
        return Response("", status_code=200, media_type="text/html")
