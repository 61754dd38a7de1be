"""Typed errors, each with an English msgid that the web layer translates.

Services raise these; :mod:`core.web.errors` maps them to HTTP status codes
and to pages or JSON in the user's language, in one place.
"""

from __future__ import annotations

from core.i18n import N_, gettext


class TongbanError(Exception):
    """Base class. ``message`` is an English msgid with ``%(name)s`` params.

    A param naming something in both languages (an item, a unit …) is given as a
    :class:`~core.i18n.Localized`: the reader's language is known only when the error
    is shown, and ``gettext`` picks the name then."""

    status_code = 400
    message = N_("The request could not be completed.")

    def __init__(self, message: str | None = None, **params: object):
        if message is not None:
            self.message = message
        self.params = params
        super().__init__(self.message % params if params else self.message)

    def text(self, locale: str) -> str:
        """The message in ``locale``. Params named in ``translate_params`` (a state, an
        action …) are msgids themselves, and are shown translated too."""
        translated = getattr(self, "translate_params", ())
        params = {k: gettext(locale, v) if k in translated else v for k, v in self.params.items()}
        return gettext(locale, self.message, **params)


class NotFound(TongbanError):
    status_code = 404
    message = N_("Not found.")


class CaseNotFound(NotFound):
    # Said alike for a case that does not exist and one the caller may not see.
    message = N_("No such case.")


class InvalidTrackingCodeError(TongbanError):
    """What a person typed cannot be a tracking code.

    ``message`` says in words what is wrong (the tracking-code module's reason
    messages, e.g. the wrong length or a mistyped character); ``reason`` is the
    machine code of it (``wrong_length``, ``not_digits``, ``bad_check``,
    ``impossible_date``) and ``code`` the error's own, for API clients.
    """

    code = "invalid_tracking_code"
    message = N_("This is not a valid tracking code. Please check it and type it again.")

    def __init__(self, message: str | None = None, reason: str = ""):
        self.reason = str(reason)
        super().__init__(message)


class PermissionDenied(TongbanError):
    status_code = 403
    message = N_("You are not allowed to do this.")


class TransitionNotAllowed(TongbanError):
    status_code = 409
    message = N_("A case in state “%(state)s” cannot be given the action “%(action)s”.")


class ValidationFailed(TongbanError):
    status_code = 422
    message = N_("Please correct the marked fields.")

    def __init__(self, errors: list, message: str | None = None):
        self.errors = errors
        super().__init__(message)


class ReasonRequired(TongbanError):
    status_code = 422
    message = N_("Please give a reason.")


class RoutingFailed(TongbanError):
    status_code = 422
    message = N_(
        "No %(unit_kind)s at %(level)s level serves this unit, so the case cannot be routed."
    )


class ItemNotAvailable(TongbanError):
    status_code = 422
    message = N_("This item cannot be filed at %(unit)s: %(reason)s")
