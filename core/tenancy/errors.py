"""Typed errors of the tenancy module; the web layer translates and renders them."""

from __future__ import annotations

from core.errors import NotFound, TongbanError
from core.i18n import N_


class UnitNotFound(NotFound):
    # Said alike for a unit that does not exist and one outside the caller's subtree.
    message = N_("No such unit.")


class StaffNotFound(NotFound):
    message = N_("No such staff member.")


class TokenNotFound(NotFound):
    message = N_("No such API token.")


class LevelNotFound(NotFound):
    message = N_("No such level.")


class Refused(TongbanError):
    """A change the rules do not allow; the message says which rule and why."""

    status_code = 422
    message = N_("This change is not allowed.")


class PasswordRejected(TongbanError):
    status_code = 422
    message = N_("Please choose another password.")

    def __init__(self, problems: list[str]):
        self.problems = problems  # English msgids
        super().__init__()
