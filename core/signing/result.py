"""The one result shape every verifier returns, so the web page can show any of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal, Self

from cryptography import x509

from .ca import cert_info

__all__ = ["Status", "Verification"]

Status = Literal["valid", "altered", "revoked", "unknown_signer"]


@dataclass(frozen=True)
class Verification:
    """Outcome of checking one signature.

    ``reason`` is a short English msgid for the translation layer.
    ``unit`` is the certificate's OU (unit name) and ``unit_code`` its
    serialNumber attribute.  ``signed_at`` is the time the signer claims
    (there is no timestamp authority), so ``signed_before_revocation`` is
    only as trustworthy as the key was before it was revoked.
    """

    status: Status
    reason: str
    signer: str | None = None
    unit: str | None = None
    unit_code: str | None = None
    serial: str | None = None
    signed_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    signed_before_revocation: bool | None = None

    @property
    def ok(self) -> bool:
        return self.status == "valid"

    @classmethod
    def for_cert(
        cls, status: Status, reason: str, cert: x509.Certificate | None, **extra: object
    ) -> Self:
        """Build a result whose signer fields come from ``cert`` (if known)."""
        if cert is None:
            return cls(status, reason, **extra)  # type: ignore[arg-type]
        info = cert_info(cert)
        return cls(
            status,
            reason,
            signer=info.common_name,
            unit=info.unit_name,
            unit_code=info.unit_code,
            serial=info.serial_hex,
            **extra,  # type: ignore[arg-type]
        )
