"""What the form validator needs besides the data: known places and the uploads.

``validate`` checks an address against ``known_unit_codes`` and a file field
against ``files``; both come from the database, so they are gathered here
once per submission (and once per live check), never inside the validator.

Only the unit codes that the data holds are looked up (one indexed
``code IN (…) AND active`` query, none when it holds no code): the whole
unit table — tens of thousands of rows for a prefecture-level city — is never
read, and a unit deactivated or added a moment ago counts at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from core.catalog import uploads
from core.catalog.fields import FileInfo, address_unit
from core.settings import site_today
from core.tenancy.tables import Unit

# Distinct candidate codes looked up per submission: far more than any form has
# addresses (a repeating group of households is a few dozen), few enough for one query.
MAX_UNIT_LOOKUP = 500


@dataclass(frozen=True)
class FormContext:
    known_unit_codes: frozenset[str]
    files: Mapping[str, FileInfo] = field(default_factory=dict)
    # Dates like "today-18y" count from the site's day, in the site's time zone.
    today: date = field(default_factory=site_today)

    def kwargs(self) -> dict:
        """Keyword arguments for :func:`core.catalog.forms.validate`."""
        return {"known_unit_codes": self.known_unit_codes, "files": self.files, "today": self.today}


def unit_codes_in(data: object, limit: int = MAX_UNIT_LOOKUP) -> list[str]:
    """The distinct strings in submitted data that could be a unit code (at most ``limit``).

    The form is not consulted: an address may sit anywhere (inside repeating groups,
    as ``{"unit": …}`` or a bare string), and a 12-digit value that is no address costs
    only a place in the query."""
    found: dict[str, None] = {}
    stack = [data]
    while stack and len(found) < limit:
        node = stack.pop()
        if isinstance(node, Mapping):
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
        else:
            code = address_unit(node)
            if code is not None:
                found[code] = None
    return list(found)


async def known_unit_codes(codes: list[str]) -> frozenset[str]:
    """Those of ``codes`` that are active units' codes, read now (no query for none)."""
    if not codes:
        return frozenset()
    rows = await Unit.select(Unit.code).where(
        Unit.code.is_in(codes) & (Unit.active == True)  # noqa: E712 - Piccolo needs ==
    )
    return frozenset(r["code"] for r in rows)


async def form_context(data: object, *, staff_id: int | None) -> FormContext:
    """The context for validating ``data`` submitted by ``staff_id``."""
    return FormContext(
        known_unit_codes=await known_unit_codes(unit_codes_in(data)),
        files=await uploads.files_for(staff_id, uploads.tokens_in(data)),
    )
