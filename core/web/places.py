"""Place suggestions for address fields, a few at a time, as the user types.

A form page used to carry every place of the tree in a ``<datalist>``: one
query reading the whole unit table on every render, and a page that grew
with the tree (5,000 options for a prefecture-level city). The address
input now asks this route with htmx for the places matching what has been
typed — a code prefix or part of a name — and the page itself reads no unit.

Place names and division codes are public (the national division list); the
route still needs a login, like the forms that use it.
"""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from core.db import is_postgres
from core.tenancy.scope import ADMINISTRATIVE_KINDS
from core.tenancy.tables import Unit
from core.web.guards import login_required

LIMIT = 20
MAX_QUERY = 40


def typed(request: Request) -> str:
    """What was typed: ``q``, or the address input's own value (htmx sends it by its name)."""
    params = request.query_params
    value = params.get("q")
    if value is None:
        value = next((v for k, v in params.items() if k.endswith(".unit")), "")
    # LIKE wildcards are not place names: taken out rather than let them widen the search.
    return "".join(ch for ch in value.strip() if ch not in "%_\\")[:MAX_QUERY]


async def suggest(text: str, limit: int = LIMIT) -> list[dict]:
    """Active places (12-digit division codes) whose code starts with ``text`` or whose
    name holds it, in tree order; at most ``limit``, read from the database as such."""
    if not text:
        return []
    if text.isdigit():
        matches = Unit.code.like(f"{text}%")
    else:
        # SQLite's LIKE ignores ASCII case already; PostgreSQL's needs ILIKE.
        english = Unit.name_en.ilike if is_postgres() else Unit.name_en.like
        matches = Unit.name.like(f"%{text}%") | english(f"%{text}%")
    rows = await (
        Unit.select(Unit.code, Unit.name, Unit.name_en)
        .where(
            matches
            & (Unit.active == True)  # noqa: E712 - Piccolo needs ==
            & Unit.kind.is_in(sorted(ADMINISTRATIVE_KINDS))
        )
        .order_by(Unit.path)
        .limit(limit * 3)  # a few administrative units carry a non-division code
    )
    return [r for r in rows if len(r["code"]) == 12 and r["code"].isdigit()][:limit]


class PlacesController(Controller):
    path = "/places"
    guards = [login_required]

    @get("/", name="places.suggest")
    async def places(self, request: Request) -> Template:
        return Template(
            "partials/place_options.html", context={"places": await suggest(typed(request))}
        )
