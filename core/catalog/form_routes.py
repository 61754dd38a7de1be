"""htmx round-trips of the filing form: re-render the item's form section, take an upload.

Both use the same validator and context as the submission; the filing
page's per-field check of the applicant section stays with the cases module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from core.catalog import delegation, uploads
from core.catalog.delegation_admin import UnknownItem
from core.catalog.fields import HARD_MAX_BYTES, MAX_FILENAME, Field
from core.catalog.form_context import form_context
from core.catalog.form_view import FieldView, apply_op, form_view
from core.catalog.forms import FieldError, Form, find_field, parse_html_form, validate
from core.catalog.items import Item
from core.catalog.registry import get_catalog
from core.errors import ItemNotAvailable, PermissionDenied, ValidationFailed
from core.i18n import N_
from core.tenancy.scope import Principal
from core.web.guards import provide_principal, require_roles

FILING_ROLES = ("village_agent", "window_clerk")
# One file per request; the materials module enforces the site's own (smaller) limit,
# and no more than that limit plus one byte is ever read into memory.
UPLOAD_LIMIT = HARD_MAX_BYTES
_INDEX_RE = re.compile(r"\[[0-9]+\]")
NO_FILE = N_("Choose a file to upload")
# The section posts back which arrangement of group entries it shows (FieldView.dom_id).
LAYOUT_FIELD = "_layout"
MAX_LAYOUT = 1_000_000


def _membership(principal: Principal):
    memberships = principal.memberships_with(*FILING_ROLES)
    if not memberships:
        raise PermissionDenied()
    return memberships[0]


async def filing_item(principal: Principal, code: str) -> Item:
    """The item, if the principal's filing unit may file it (the same rule as submitting)."""
    membership = _membership(principal)
    item = get_catalog().items.get(code[:32])
    unit = {"path": membership.unit_path, "level": membership.level, "name": membership.unit_name}
    if item is None:
        raise UnknownItem()
    decision = await delegation.may_file(item, unit, proxy=membership.role == "village_agent")
    if not decision.allowed:
        raise ItemNotAvailable(decision.message, unit=membership.unit_name)
    return item


def posted_layout(pairs: Iterable[tuple[str, object]]) -> int:
    """The ``_layout`` counter the section posted back (0 when missing or garbled)."""
    value = next((v for k, v in pairs if k == LAYOUT_FIELD), "")
    if not isinstance(value, str) or not value.isdigit() or len(value) > 7:
        return 0
    return int(value) % MAX_LAYOUT


def touched_paths(pairs: Iterable[tuple[str, object]]) -> set[str]:
    """Paths the user has typed something into, with their enclosing groups: only
    their errors are shown while the form is being filled in (a field not yet
    reached is not "required" yet)."""
    touched: set[str] = set()
    for name, value in pairs:
        if not isinstance(value, str) or not value.strip() or name.startswith("_"):
            continue
        path = name.removesuffix(".unit").removesuffix(".detail")
        touched.add(path)
        for match in _INDEX_RE.finditer(path):
            touched.add(path[: match.start()])
    return touched


def urls(item: Item) -> dict[str, str]:
    base = f"/forms/{item.code}"
    return {"section": f"{base}/section", "upload": f"{base}/upload"}


async def render_context(
    item: Item,
    data: dict,
    *,
    staff_id: int,
    show: set[str] | None = None,
    errors: list[FieldError] | None = None,
    layout: int = 0,
) -> dict:
    """Template context for the item's form section (the filing page uses it too):
    ``views``, ``urls`` and ``places``. ``show``: the paths whose errors to show
    (None: all); ``errors``: a failed submission's errors to show instead."""
    context = await form_context(data, staff_id=staff_id)
    views = form_view(
        item.form,
        data,
        computed=get_catalog().computed,
        known_unit_codes=context.known_unit_codes,
        files=context.files,
        today=context.today,
        show_errors=(lambda path: True) if show is None else (lambda path: path in show),
        errors=errors,
        layout=layout,
    )
    # No places here: the whole tree on every render was the cost. The address input
    # asks /places/ (core.web.places) for a few as the user types.
    return {"views": views, "urls": urls(item), "places": [], "layout": layout}


class FormController(Controller):
    path = "/forms"
    guards = [require_roles(*FILING_ROLES)]
    dependencies = {"principal": Provide(provide_principal)}

    @get("/{code:str}/section", name="forms.section.get")
    async def section_get(
        self, principal: NamedDependency[Principal], code: FromPath[str]
    ) -> Template:
        item = await filing_item(principal, code)
        context = await render_context(item, {}, staff_id=principal.staff_id, show=set())
        return Template("catalog/partials/item_form.html", context=context)

    @post("/{code:str}/section", name="forms.section")
    async def section(
        self, request: Request, principal: NamedDependency[Principal], code: FromPath[str]
    ) -> Template:
        """Re-render the section after a change, an added or a removed group entry."""
        item = await filing_item(principal, code)
        pairs = [(k, v) for k, v in (await request.form()).multi_items() if isinstance(v, str)]
        data = parse_html_form(
            [(k, v) for k, v in pairs if not k.startswith("applicant.") and k != LAYOUT_FIELD]
        )
        op = next((v for k, v in pairs if k == "_op"), "")
        layout = posted_layout(pairs)
        if op:
            data = apply_op(item.form, data, op)
            layout = (layout + 1) % MAX_LAYOUT  # entries may have moved: new ids in groups
        show = touched_paths(pairs)
        context = await render_context(
            item, data, staff_id=principal.staff_id, show=show, layout=layout
        )
        context["places"] = None  # the page already holds the list (outside the section)
        return Template("catalog/partials/item_form.html", context=context)

    @post(
        "/{code:str}/upload",
        name="forms.upload",
        request_max_body_size=UPLOAD_LIMIT + 64 * 1024,
    )
    async def upload(
        self, request: Request, principal: NamedDependency[Principal], code: FromPath[str]
    ) -> Template:
        """Store one upload for a file field and re-render that field with its verdict."""
        item = await filing_item(principal, code)
        form = await request.form()
        path = form.get("_field") if isinstance(form.get("_field"), str) else ""
        declared = find_field(item.form, path or "")
        if declared is None or declared.type != "file" or len(path) > 200:
            raise ValidationFailed([], message=N_("This upload does not belong to the form."))
        upload = form.get("file")
        token, refused = None, None
        if isinstance(upload, UploadFile) and upload.filename:
            # The materials module checks and stores files (type sniffing, image
            # re-encoding, thumbnails); it sits above the catalogue, hence the late import.
            from core.materials.services import max_bytes
            from core.materials.services import upload as store_upload
            from core.materials.storage import Rejected

            try:
                row = await store_upload(
                    principal,
                    await upload.read(max_bytes() + 1),
                    upload.filename[:MAX_FILENAME],
                    material_code=declared.material,
                    purpose="field",
                )
                token = row["public_id"]
            except Rejected as exc:
                refused = FieldError(path=path, message=exc.message, params=exc.params)
        view = await _file_view(declared, path, token, principal.staff_id)
        if refused is not None:
            view.errors = [refused]
        return Template(
            "catalog/partials/field.html",
            context={"view": view, "urls": urls(item)},
        )


async def _file_view(declared: Field, path: str, token: str | None, staff_id: int) -> FieldView:
    """The file field at ``path`` with the verdict on ``token`` (the field checked alone:
    whether it is shown at all was decided when the section was rendered)."""
    if token is None:
        return FieldView(declared, path, None, errors=[FieldError(path=path, message=NO_FILE)])
    files = await uploads.files_for(staff_id, [token])
    alone = msgspec.structs.replace(declared, show_if=None)
    result = validate(Form(fields=[alone]), {declared.name: token}, files=files)
    errors = [
        FieldError(
            path=path + e.path.removeprefix(declared.name), message=e.message, params=e.params
        )
        for e in result.errors
    ]
    return FieldView(declared, path, token, errors=errors, file=files.get(token))
