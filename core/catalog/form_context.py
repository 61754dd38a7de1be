"""What the form validator needs besides the data: known places and the uploads.

``validate`` checks an address against ``known_unit_codes`` and a file field
against ``files``; both come from the database, so they are gathered here
once per submission (and once per live check), never inside the validator.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from core.catalog import uploads
from core.catalog.fields import FileInfo
from core.tenancy.tables import Unit

UNIT_CODES_TTL = 60.0  # seconds: a unit added by an admin is selectable within a minute

_unit_codes: dict[str, object] = {"at": 0.0, "codes": frozenset()}


@dataclass(frozen=True)
class FormContext:
    known_unit_codes: frozenset[str]
    files: Mapping[str, FileInfo] = field(default_factory=dict)

    def kwargs(self) -> dict:
        """Keyword arguments for :func:`core.catalog.forms.validate`."""
        return {"known_unit_codes": self.known_unit_codes, "files": self.files}


async def known_unit_codes() -> frozenset[str]:
    """Codes of active administrative units (12 digits), cached for a minute."""
    now = time.monotonic()
    if now - float(_unit_codes["at"]) > UNIT_CODES_TTL:
        rows = await Unit.select(Unit.code).where(Unit.active == True)  # noqa: E712
        _unit_codes["codes"] = frozenset(
            r["code"] for r in rows if len(r["code"]) == 12 and r["code"].isdigit()
        )
        _unit_codes["at"] = now
    return _unit_codes["codes"]  # type: ignore[return-value]


def forget_unit_codes() -> None:
    """Drop the cache (after the unit tree changed in this process)."""
    _unit_codes["at"] = 0.0


async def form_context(data: object, *, staff_id: int | None) -> FormContext:
    """The context for validating ``data`` submitted by ``staff_id``."""
    return FormContext(
        known_unit_codes=await known_unit_codes(),
        files=await uploads.files_for(staff_id, uploads.tokens_in(data)),
    )
