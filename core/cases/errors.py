"""Errors of case handling, each with a message a clerk understands.

Params listed in ``translate_params`` are msgids (a state, an action) and
are translated along with the message (see :mod:`core.web.errors`).
"""

from __future__ import annotations

from core.cases.labels import ACTION_LABELS, STATE_LABELS
from core.errors import PermissionDenied, TongbanError, TransitionNotAllowed
from core.i18n import N_


class ActionNotAllowed(TransitionNotAllowed):
    """The action does not apply to a case in this state."""

    translate_params = ("state", "action")

    def __init__(self, state: str, action: str):
        super().__init__(
            state=STATE_LABELS.get(state, state), action=ACTION_LABELS.get(action, action)
        )
        self.state = state
        self.action = action


class StepDoesNotAllow(TongbanError):
    status_code = 409
    message = N_("The workflow does not allow “%(action)s” at this step.")
    translate_params = ("action",)

    def __init__(self, action: str):
        super().__init__(action=ACTION_LABELS.get(action, action))


class NotYourTask(PermissionDenied):
    message = N_("This task is not yours: only the person holding it may do this.")


class NotSupervisor(PermissionDenied):
    message = N_("Only a supervisor of this unit may do this.")


class MaterialsRequired(TongbanError):
    status_code = 422
    message = N_("List every missing or defective material, so the applicant is told at once.")


class UnknownMaterial(TongbanError):
    status_code = 422
    message = N_("“%(code)s” is not one of this item's materials.")


class SupplementRepeated(TongbanError):
    status_code = 422
    message = N_(
        "Already requested once: %(names)s. Asking again needs a justification "
        "(for example: the copy handed in is illegible)."
    )


class NotRequested(TongbanError):
    status_code = 422
    message = N_("Not requested in the supplement notice: %(names)s.")


class MaterialsStillMissing(TongbanError):
    status_code = 422
    message = N_("Still missing: %(names)s. Record the supplement once everything has arrived.")


class InvalidChoice(TongbanError):
    status_code = 422
    message = N_("Please choose a valid %(what)s.")
    translate_params = ("what",)


class ProcedureNotAllowed(TongbanError):
    status_code = 422
    message = N_("This item may not be suspended for “%(procedure)s”.")


class DeliveryNotAllowed(TongbanError):
    status_code = 422
    message = N_("This item's result cannot be delivered that way.")


class LastSigner(TongbanError):
    status_code = 409
    message = N_("This is the last signer still to sign; the step cannot lose them.")


class BundleNotAvailable(TongbanError):
    status_code = 422
    message = N_("This bundle cannot be filed at %(unit)s: %(reason)s")


def error_text(exc: TongbanError, locale: str) -> str:
    """The error's message in ``locale`` (for pages that show it inline)."""
    return exc.text(locale)
