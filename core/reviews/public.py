"""Finding the case a resident rates: by tracking code and second factor, or by link.

The same lookup as the public status page (:mod:`core.cases.status`): a
wrong second factor and an unknown code answer alike.
"""

from __future__ import annotations

from core.cases.status import StatusNotFound, checked_code
from core.cases.tables import Case
from core.residents.services import second_factor_matches
from core.reviews import links


async def case_by_code(code_input: str, last4: str) -> dict:
    code = checked_code(code_input)
    case = await Case.select().where(Case.tracking_code == code).first()
    if (
        case is None
        or not case["resident"]
        or not await second_factor_matches(case["resident"], last4)
    ):
        raise StatusNotFound()
    return case


async def case_by_link(token: str) -> dict:
    case = await Case.select().where(Case.id == links.case_of(token)).first()
    if case is None:
        raise links.InvalidLink()
    return case
