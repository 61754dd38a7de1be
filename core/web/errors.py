"""Errors become pages or JSON in the user's language. Never a stack trace.

A JSON error (``/api/`` …) carries ``message`` (and Litestar's ``detail``) in the
caller's language and a stable machine ``code`` a client can branch on without
reading the words (:func:`error_code`): the error class's own ``code`` where it
declares one, else its name in snake_case (``CaseNotFound`` → ``case_not_found``,
``NotRoutableHere`` → ``not_routable_here``); for the framework's own errors
(bad request, login required …) a name of the HTTP status (:data:`HTTP_CODES`).
:data:`API_ERROR_RESPONSES` documents that body in the OpenAPI schema.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.errors import TongbanError, ValidationFailed
from core.i18n import N_, gettext
from core.web.locale import current_locale

log = logging.getLogger("tongban.web")

GENERIC = {
    400: N_("The request could not be understood. Please check what you entered."),
    401: N_("Please log in first."),
    403: N_("You are not allowed to do this."),
    404: N_("The page you asked for does not exist."),
    405: N_("This action is not available here."),
    413: N_("The upload is too large."),
    429: N_("Too many requests. Please wait a moment and try again."),
    500: N_("Something went wrong on our side. Nothing was changed; please try again."),
}


# Codes of the errors the framework raises itself (no TongbanError), by HTTP status.
HTTP_CODES = {
    400: "bad_request",
    401: "login_required",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}
CSRF_CODE = "form_expired"


def error_code(exc: BaseException) -> str:
    """The stable machine code of an application error: its class's ``code`` if it has
    one (inherited or its own), else the class name in snake_case without a trailing
    ``Error`` or ``Exception``."""
    code = getattr(type(exc), "code", None)
    if isinstance(code, str) and code:
        return code
    name = re.sub(r"(Error|Exception)$", "", type(exc).__name__) or type(exc).__name__
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def http_code(status: int) -> str:
    return HTTP_CODES.get(status, HTTP_CODES[400 if status < 500 else 500])


class ApiFieldError(msgspec.Struct):
    path: str  # "applicant.id_number", "<item code>.<field>" …
    message: str


class ApiError(msgspec.Struct):
    """The body of every JSON error."""

    status: int
    status_code: int  # the same, under Litestar's name
    code: str  # stable, for programs: "case_not_found", "validation_failed" …
    message: str  # for people, in the caller's language
    detail: str  # the same, under Litestar's name
    errors: list[ApiFieldError] | None = None  # validation_failed: each field's problem
    reason: str | None = None  # invalid_tracking_code: why (wrong_length, bad_check …)


# The JSON API's handlers declare these (``responses=API_ERROR_RESPONSES``).
API_ERROR_RESPONSES = {
    status: ResponseSpec(data_container=ApiError, description=text, generate_examples=False)
    for status, text in (
        (400, "Bad request"),
        (401, "Login required"),
        (403, "Not allowed"),
        (404, "Not found (or not visible to the caller)"),
        (409, "Conflicts with the current state"),
        (422, "Refused: invalid or not possible here"),
    )
}
# A look-up guarded against guessing (core.cases.lookups) adds this one.
API_THROTTLED_RESPONSES = {
    **API_ERROR_RESPONSES,
    429: ResponseSpec(
        data_container=ApiError,
        description="Too many wrong attempts for this code or from this address",
        generate_examples=False,
    ),
}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", "")
    )


def _render(
    request: Request, status: int, message: str, errors: list | None = None, *, code: str = ""
) -> Response:
    if wants_json(request):
        body: dict = {"status": status, "code": code or http_code(status), "message": message}
        # Also the fields of the error schema the OpenAPI document declares (Litestar's).
        body.update(status_code=status, detail=message)
        if errors is not None:
            body["errors"] = errors
        return Response(body, status_code=status, media_type=MediaType.JSON)
    template = "partials/error.html" if request.headers.get("hx-request") else "error.html"
    response = Template(
        template, context={"status": status, "message": message}, status_code=status
    )
    if request.headers.get("hx-request"):
        # Show errors from htmx requests in the page's message area.
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def tongban_error(request: Request, exc: TongbanError) -> Response:
    locale = current_locale.get()
    message = exc.text(locale)
    errors = None
    if isinstance(exc, ValidationFailed):
        errors = [
            {"path": e.path, "message": gettext(locale, e.message, **(e.params or {}))}
            for e in exc.errors
        ]
    return _render(request, exc.status_code, message, errors, code=error_code(exc))


def http_error(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, NotAuthorizedException) and not wants_json(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request"):
            return Response("", status_code=401, headers={"HX-Redirect": "/login"})
        return Redirect(f"/login?next={quote(target)}")
    code = ""
    if isinstance(exc, ValidationException) and "csrf" in str(exc.detail).lower():
        message = N_("Your form has expired. Please reload the page and try again.")
        status, code = 403, CSRF_CODE
    else:
        message = GENERIC.get(status, GENERIC[400 if status < 500 else 500])
    if isinstance(exc, PermissionDeniedException) and "csrf" in str(exc.detail).lower():
        message = N_("Your form has expired. Please reload the page and try again.")
        code = CSRF_CODE
    return _render(request, status, gettext(current_locale.get(), message), code=code)


def server_error(request: Request, exc: Exception) -> Response:
    from core.ops.unavailable import MESSAGE, RETRY_AFTER_SECONDS, dependency_unavailable

    if dependency_unavailable(exc):  # database or Redis away: 503, "try again", no traceback
        log.warning("dependency unavailable on %s %s: %r", request.method, request.url.path, exc)
        response = _render(request, 503, gettext(current_locale.get(), MESSAGE))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if _input_out_of_range(exc):  # e.g. /cases/99999999999999999999999: no such thing
        return _render(request, 400, gettext(current_locale.get(), GENERIC[400]))
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _render(
        request, HTTP_500_INTERNAL_SERVER_ERROR, gettext(current_locale.get(), GENERIC[500])
    )


EXCEPTION_HANDLERS = {
    TongbanError: tongban_error,
    HTTPException: http_error,
    NotFoundException: http_error,
    Exception: server_error,
}


def _input_out_of_range(exc: Exception) -> bool:
    """A number from the request too large for the database column (found by fuzzing)."""
    if isinstance(exc, OverflowError):  # SQLite: "Python int too large to convert"
        return True
    return type(exc).__name__ == "DataError" and "out of" in str(exc) and "range" in str(exc)
