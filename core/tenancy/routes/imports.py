"""Importing units through the console: check every row, then import in the background.

The upload is checked at once and every bad row is listed with its line
number. A clean file is imported by a background task, all or nothing, while
the page shows a progress bar that htmx refreshes; progress is kept in a
store every app process shares, so any process can answer the polling.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from core.errors import NotFound, PermissionDenied
from core.i18n import N_
from core.tenancy.routes.common import ConsoleController, page, t
from core.tenancy.scope import Principal, admin_paths, require_write
from core.tenancy.units_import import decode_upload, import_units

MAX_UPLOAD = 10_000_000  # the app's request limit
JOB = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
SHOWN_ERRORS = 500
STORE = "import-progress"
KEEP_SECONDS = 3600
log = logging.getLogger("tongban.tenancy")
_running: set[asyncio.Task] = set()  # keep references: the loop holds tasks only weakly


class ImportNotFound(NotFound):
    message = N_("No such import.")


class ImportController(ConsoleController):
    path = "/admin/units/import"

    @get("/", name="admin.import")
    async def form(self, request: Request, principal: NamedDependency[Principal]) -> Template:
        return await page(request, principal, "tenancy/import.html", "import", errors=[])

    @post("/", name="admin.import.upload")
    async def upload(
        self, request: Request, principal: NamedDependency[Principal]
    ) -> Template | Redirect:
        require_write(principal)
        within = admin_paths(principal, write=True)
        if not within:
            raise PermissionDenied()
        form = await request.form()
        upload = form.get("file")
        problems: list[str] = []
        text = ""
        name = ""
        if not isinstance(upload, UploadFile) or not upload.filename:
            problems.append(t(N_("Please choose a CSV file.")))
        else:
            name = upload.filename[:120]
            data = await upload.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                problems.append(t(N_("The upload is too large.")))
            elif (decoded := decode_upload(data)) is None:
                problems.append(t(N_("The file is not a CSV text file in UTF-8 or GB 18030.")))
            else:
                text = decoded
        if not problems:
            check = await import_units(text, within=within, dry_run=True)
            problems = [
                _problem_text(e.line, e.message, e.params) for e in check.errors[:SHOWN_ERRORS]
            ]
            if len(check.errors) > SHOWN_ERRORS:
                problems.append(
                    t(N_("… and %(count)s more."), count=len(check.errors) - SHOWN_ERRORS)
                )
        if problems:
            return await page(
                request,
                principal,
                "tenancy/import.html",
                "import",
                status=422,
                errors=problems,
                filename=name,
            )
        job = secrets.token_urlsafe(12)
        store = request.app.stores.get(STORE)
        state = {
            "owner": principal.staff_id,
            "state": "running",
            "done": 0,
            "total": check.planned,
            "file": name,
            "created": 0,
            "unchanged": check.unchanged,
            "errors": [],
        }
        await store.set(job, json.dumps(state), expires_in=KEEP_SECONDS)
        task = asyncio.create_task(_run(store, job, state, text, principal, within, name))
        _running.add(task)
        task.add_done_callback(_running.discard)
        return Redirect(f"/admin/units/import/{job}")

    @get("/{job:str}", name="admin.import.progress")
    async def progress(
        self, request: Request, principal: NamedDependency[Principal], job: FromPath[str]
    ) -> Template:
        raw = await request.app.stores.get(STORE).get(job) if JOB.match(job) else None
        state = json.loads(raw) if raw else None
        if state is None or state["owner"] != principal.staff_id:
            raise ImportNotFound()
        problems = [
            _problem_text(line, message, params) for line, message, params in state["errors"]
        ]
        context = {"job": job, "s": state, "problems": problems}
        if request.headers.get("hx-request"):
            return Template("tenancy/partials/import_progress.html", context=context)
        return await page(request, principal, "tenancy/import_progress.html", "import", **context)


def _problem_text(line: int, message: str, params: dict) -> str:
    text = t(message, **params)
    return t(N_("line %(line)s: %(problem)s"), line=line, problem=text) if line else text


async def _run(store, job, state, text, principal, within, name) -> None:
    """The import itself, reporting progress after each batch."""
    pending: list[asyncio.Task] = []

    def progress(done: int, total: int) -> None:
        state.update(done=done, total=total)
        pending.append(
            asyncio.ensure_future(store.set(job, json.dumps(state), expires_in=KEEP_SECONDS))
        )

    try:
        report = await import_units(
            text, progress=progress, actor=principal, within=within, source=name
        )
        if report.ok:
            state.update(
                state="done",
                created=report.created,
                unchanged=report.unchanged,
                done=state["total"],
            )
        else:  # the tree changed since the check
            state.update(
                state="failed",
                errors=[[e.line, e.message, e.params] for e in report.errors[:SHOWN_ERRORS]],
            )
    except Exception:  # nothing was imported: the transaction rolled back
        log.exception("unit import %s failed", job)
        state.update(
            state="failed",
            errors=[[0, N_("The import failed; nothing was imported. Please try again."), {}]],
        )
    await asyncio.gather(*pending, return_exceptions=True)
    await store.set(job, json.dumps(state), expires_in=KEEP_SECONDS)
