"""Place suggestions for address fields, a few at a time, as the user types.

A form page used to carry every place of the tree in a ``<datalist>``: one
query reading the whole unit table on every render, and a page that grew
with the tree (5,000 options for a prefecture-level city). The address
input now asks this route with htmx for the places matching what has been
typed — a code prefix or part of a name — and the page itself reads no unit.

Place names and division codes are public (the national division list); the
route still needs a login, like the forms that use it.

An input that wants units of every kind — the seal form of ``/admin/signing``,
whose units are mostly service centres and departments — says so with
``kinds=all`` (``hx-vals``). Those are not public places: it gets the active
units of the subtrees its admin or read-only roles reach
(:func:`core.tenancy.scope.unit_visibility`, as the unit tree shows them), and
a principal that reaches none gets the public places, as an address field does.
"""

from __future__ import annotations

import unicodedata

from litestar import Controller, Request, get
from litestar.response import Template

from core.db import is_postgres
from core.tenancy.scope import ADMINISTRATIVE_KINDS, Clause, unit_visibility
from core.tenancy.tables import Unit
from core.web.guards import login_required, optional_principal

LIMIT = 20
MAX_QUERY = 40
EVERY_KIND = "all"  # ?kinds=all: units of every kind, within the caller's admin scope


def typed(request: Request) -> str:
    """What was typed: ``q``, or the input's own value (htmx sends it by its name,
    ``….unit``). Full-width digits and letters (a Chinese input method's) read as ASCII."""
    params = request.query_params
    value = params.get("q")
    if value is None:
        value = next((v for k, v in params.items() if k.endswith(".unit")), "")
    value = unicodedata.normalize("NFKC", value[: MAX_QUERY * 4])
    # LIKE wildcards are not place names: taken out rather than let them widen the search.
    return "".join(ch for ch in value.strip() if ch not in "%_\\")[:MAX_QUERY]


def _looks_like_code(text: str) -> bool:
    """A division code or a unit code built on one (``509910101000-BM``)."""
    return text[0].isdigit() and all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in text)


async def suggest(text: str, limit: int = LIMIT, *, within: Clause | None = None) -> list[dict]:
    """Active places (12-digit division codes) whose code starts with ``text`` or whose
    name holds it, in tree order; at most ``limit``, read from the database as such.

    With ``within`` (a subtree clause from :func:`unit_visibility`), active units of
    every kind in those subtrees instead: service centres and departments too."""
    if not text:
        return []
    # SQLite's LIKE ignores ASCII case already; PostgreSQL's needs ILIKE.
    if within is None and text.isdigit():
        matches = Unit.code.like(f"{text}%")
    elif within is not None and _looks_like_code(text):
        code = Unit.code.ilike if is_postgres() else Unit.code.like  # "…-bm" finds "…-BM"
        matches = code(f"{text}%")
    else:
        english = Unit.name_en.ilike if is_postgres() else Unit.name_en.like
        matches = Unit.name.like(f"%{text}%") | english(f"%{text}%")
    active = Unit.active == True  # noqa: E712 - Piccolo needs ==
    query = Unit.select(Unit.code, Unit.name, Unit.name_en).order_by(Unit.path)
    if within is not None:
        return await query.where(matches & active & within).limit(limit)
    rows = await query.where(
        matches & active & Unit.kind.is_in(sorted(ADMINISTRATIVE_KINDS))
    ).limit(limit * 3)  # a few administrative units carry a non-division code
    return [r for r in rows if len(r["code"]) == 12 and r["code"].isdigit()][:limit]


class PlacesController(Controller):
    path = "/places"
    guards = [login_required]

    @get("/", name="places.suggest")
    async def places(self, request: Request) -> Template:
        within = None
        if request.query_params.get("kinds") == EVERY_KIND:
            within = unit_visibility(await optional_principal(request))
        return Template(
            "partials/place_options.html",
            context={
                "places": await suggest(typed(request), within=within),
                "with_codes": within is not None,  # "赶水镇便民服务中心 · 509910101000-BM"
            },
        )
