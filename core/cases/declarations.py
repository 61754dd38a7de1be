"""What plugins declare and receive about cases (re-exported by :mod:`core.api`).

Kept free of database and service imports, so that importing the public API
stays cheap and cycle-free.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec


class Bundle(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    """A bundle (一件事): one application creating a case for each of ``items``.

    ``shared_materials`` are collected once for all of them; the applicant
    section is shared by every case.
    """

    code: str
    name: str
    name_en: str = ""
    items: tuple[str, ...]
    shared_materials: tuple[str, ...] = ()
    summary: str = ""
    summary_en: str = ""


@dataclass(frozen=True)
class OutgoingMessage:
    """What a notification channel receives. ``key`` is unique per message (de-duplication)."""

    key: str
    audience: str  # applicant | agent | supervisor
    subject: str
    body: str
    locale: str
    case_id: int
    tracking_code: str
    phone: str = ""  # the applicant's mobile number, for SMS channels
    staff_id: int | None = None
