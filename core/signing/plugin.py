"""The signing module as a built-in plugin: the site CA, signed documents, verification, audit."""

from __future__ import annotations

from pathlib import Path

from core import hookimpl


@hookimpl
def tongban_piccolo_apps():
    return ["core.signing.piccolo_app"]


@hookimpl(trylast=True)
def tongban_signing_backend():
    from core.signing.backend import DEFAULT_BACKEND

    return DEFAULT_BACKEND


@hookimpl
def tongban_route_handlers():
    from core.signing.admin import SigningAdminController
    from core.signing.api import AuthorisationsApi, DocumentsApi, VerifyApi
    from core.signing.routes import (
        AuthorisationEvidenceController,
        CaFilesController,
        DocumentController,
        QrLandingController,
        VerifyController,
    )

    return [
        VerifyController,
        QrLandingController,
        CaFilesController,
        DocumentController,
        AuthorisationEvidenceController,
        SigningAdminController,
        VerifyApi,
        DocumentsApi,
        AuthorisationsApi,
    ]


@hookimpl
def tongban_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def tongban_locale_dirs():
    return [Path(__file__).parent / "locale"]


@hookimpl
def tongban_register_commands(cli):
    from core.signing.cli import register

    register(cli)


@hookimpl
def tongban_startup(app):
    from core.signing.lifecycle import on_startup

    return on_startup(app)


@hookimpl
async def tongban_case_event(case, event):
    """Issue the receipt, notices and decisions this event (and any before it) call for."""
    from core.signing.notices import issue_notices

    await issue_notices(case, event)
