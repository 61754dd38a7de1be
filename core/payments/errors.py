"""Errors of the payments module, each with an English msgid translated at the edge."""

from __future__ import annotations

from core.errors import NotFound, PermissionDenied, TongbanError
from core.i18n import N_


class PaymentCodeInvalid(TongbanError):
    status_code = 422
    message = N_("This payment code is not valid. Please check the 20 digits and type it again.")


class NothingDue(NotFound):
    # Said alike for a code that does not exist and one with nothing to pay.
    message = N_("Nothing is due under this payment code.")


class ChannelNotAllowed(PermissionDenied):
    message = N_("You may not record payments through this channel.")


class ReferenceInvalid(TongbanError):
    status_code = 422
    message = N_("Please enter the %(label)s exactly as the bank's system printed it.")


class ReferenceUsed(TongbanError):
    status_code = 409
    message = N_("This transaction reference was already used for another payment.")


class AmountInvalid(TongbanError):
    status_code = 422
    message = N_("Enter the amount collected in yuan, e.g. 1234.50")


class AmountMismatch(TongbanError):
    status_code = 422
    message = N_(
        "The amount collected (%(given)s yuan) is not the amount due (%(due)s yuan). "
        "Nothing was recorded."
    )


class AlreadyPaid(TongbanError):
    status_code = 409
    message = N_("These fees have already been paid. Nothing was recorded.")


class CaseNotPayable(TongbanError):
    status_code = 409
    message = N_(
        "This application was not accepted, was denied or was withdrawn, "
        "so its fees are no longer due."
    )


class FeesUnpaid(TongbanError):
    status_code = 409
    message = N_(
        "The fees of this case (%(amount)s yuan, payment code %(code)s) have not been paid. "
        "The result can be issued once they are paid."
    )


class PaymentDeadlinePassed(TongbanError):
    status_code = 409
    message = N_(
        "The deadline for paying these fees (%(pay_by)s) has passed: the application is "
        "deemed withdrawn and its fees can no longer be paid. Nothing was recorded."
    )
