"""The isolation matrix: every route × every role × an object from another subtree.

The routes come from ``app.routes``, so a route added tomorrow is either
classified in ``ROUTES`` below or fails ``test_every_route_is_classified``
with its name. For every classified route and every principal — one account
per role the catalogue knows, all placed in Qijiang district, plus a clerk
in Nanchuan and a department system's API token — the test asks about
objects of the *other* district (cases, residents, units, staff, tokens,
documents, authorisations, uploads, payments, bundles, reviews, monthly
reports, imports) and about objects that do not exist, and checks:

- no data: nothing identifying a foreign object appears in any answer;
- no existence oracle: a foreign object and a missing one get the same
  status and the same body;
- no state change: a state-changing request about a foreign object leaves
  every table as it was (row counts and highest ids) and the foreign rows
  untouched;
- read-only: every state-changing request of the auditor (a district auditor here) is
  refused with 403, except on its own account (log out, change password).

City-level memberships see the whole tree, so no object is foreign to them;
they are covered by the ordinary tests of each module.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import httpx
import pytest
from piccolo.columns import ForeignKey, Integer, Varchar

from core.cases.tables import Case, Task
from core.catalog.registry import get_catalog
from core.plugins import piccolo_app_paths
from core.residents.tables import Resident
from core.tenancy import tokens
from core.tenancy.auth import hash_password
from core.tenancy.tables import Membership, Staff, Unit
from core.tenancy.treegen import to_csv
from core.tenancy.units_import import import_units
from core.web.guards import ACCOUNT_ROUTE
from tests.helpers import Browser

MISSING_INT = 987654321
MISSING_STR = "nosuch0000000000"
PENSION = "000115002000"
PASSWORD = "Isolation-matrix-2026"


# -- how each route is tested ------------------------------------------------------


@dataclass(frozen=True)
class Public:
    """Needs no login and shows no tenant data (or is protected by an unguessable
    capability, a second factor, or is public on purpose)."""

    why: str


@dataclass(frozen=True)
class Site:
    """Site-wide configuration (levels, catalogue, calendar, the CA): not any
    subtree's data. Answers must still hold nothing of a foreign subtree."""

    fixed: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Own:
    """No object in the path: the answer may hold only the caller's own part of the tree.
    A state-changing request must leave every foreign object as it was."""

    fixed: dict[str, str] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)
    json: dict[str, Any] | None = None


@dataclass(frozen=True)
class Obj:
    """The path (or the body) names an object: ask with a foreign one and a missing one."""

    params: dict[str, str] = field(default_factory=dict)  # path parameter -> object kind
    fixed: dict[str, str] = field(default_factory=dict)  # other path parameters
    form: dict[str, Any] = field(default_factory=dict)  # values may hold "{kind}"
    json: dict[str, Any] | None = None
    query: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ByDesign:
    """Reaches across the tree on purpose; the reason is the documentation."""

    why: str


APPLICANT = {"name": "隔离测试", "id_number": "11010519491231002X", "phone": "13800138000"}

ROUTES: dict[str, Public | Site | Own | Obj | ByDesign] = {
    # the web shell and accounts
    "GET /login": Public("the login form"),
    "POST /login": Public("logging in"),
    "POST /logout": ByDesign("ends the caller's own session (asking it would log the matrix out)"),
    "GET /lang/{code:str}": Public("a language cookie"),
    "GET /account/password": Own(),
    "POST /account/password": Own(form={"current": "x", "new": "y", "confirm": "y"}),
    "GET /healthz": Public("a health check"),
    "GET /readyz": Public("a readiness check"),
    "GET /metrics": Public("process metrics, no tenant data; the proxy keeps it to monitoring"),
    "GET /": Own(),
    "GET /static/{file_path:path}": Public("static files"),
    "GET /places": Site(),  # place suggestions: the public division list, a few at a time
    # the admin console (tenancy)
    "GET /admin": Own(),
    "GET /admin/levels": Site(),
    "POST /admin/levels": Site(),
    "POST /admin/levels/{key:str}/{action:str}": Site({"key": "village", "action": "rename"}),
    "GET /admin/units": Own(),
    "GET /admin/units/{unit_id:int}": Obj({"unit_id": "unit"}),
    "GET /admin/units/{unit_id:int}/children": Obj({"unit_id": "unit"}),
    "POST /admin/units/{unit_id:int}/{action:str}": Obj(
        {"unit_id": "unit"},
        fixed={"action": "rename"},
        form={
            "name": "隔离改名",
            "name_en": "",
            "parent_code": "{unit_code}",
            "code": "X1",
            "kind": "village",
            "level": "village",
        },
    ),
    "GET /admin/units/export.csv": Own(),
    "GET /admin/units/import": Own(),
    "POST /admin/units/import": Own(),
    "GET /admin/units/import/{job:str}": Obj({"job": "import_job"}),
    "GET /admin/staff": Own(),
    "POST /admin/staff": Obj(
        form={
            "username": "isomade",
            "display_name": "隔离新人",
            "password": "Made-by-isolation-1",
            "unit_code": "{unit_code}",
            "role": "window_clerk",
        },
    ),
    "GET /admin/staff/new": Own(),
    "GET /admin/staff/{staff_id:int}": Obj({"staff_id": "staff"}),
    "POST /admin/staff/{staff_id:int}/{action:str}": Obj(
        {"staff_id": "staff"},
        fixed={"action": "deactivate"},
        form={"password": "Reset-isolation-1"},
    ),
    "GET /admin/tokens": Own(),
    "POST /admin/tokens": Obj(
        form={
            "name": "隔离系统",
            "unit_code": "{unit_code}",
            "role": "window_clerk",
            "valid_days": "30",
        }
    ),
    "POST /admin/tokens/{token_id:int}/revoke": Obj({"token_id": "token"}),
    "GET /admin/audit": Own(),
    # cases
    "GET /file": Own(),
    "GET /file/{item_code:str}": Site({"item_code": PENSION}),
    "POST /file/{item_code:str}": Own({"item_code": PENSION}),
    "POST /file/{item_code:str}/check": Own({"item_code": PENSION}, form={"_field": "remark"}),
    "GET /cases": Own(),
    "GET /cases/area": Own(),
    "GET /cases/{case_id:int}": Obj({"case_id": "case"}),
    "POST /cases/{case_id:int}/act": Obj({"case_id": "case"}, form={"action": "accept"}),
    "GET /desk": Own(),
    "POST /desk/batch": Obj(form={"case": "{case}", "action": "accept"}),
    "GET /status": Public("a case's status needs its tracking code and a second factor"),
    "GET /bundles": Own(),
    "GET /bundles/{code:str}": Site({"code": "newborn"}),
    "POST /bundles/{code:str}": Own({"code": "newborn"}),
    "GET /bundles/filed/{bundle_id:int}": Obj({"bundle_id": "bundle"}),
    "GET /api/v1/cases/{case_id:int}": Obj({"case_id": "case"}),
    "GET /api/v1/cases/{case_id:int}/actions": Obj({"case_id": "case"}),
    "POST /api/v1/cases/{case_id:int}/actions": Obj({"case_id": "case"}, json={"action": "accept"}),
    "POST /api/v1/cases": Obj(
        json={"unit_id": "{unit}", "item_code": PENSION, "applicant": APPLICANT, "data": {}}
    ),
    "POST /api/v1/bundles": Obj(
        json={"unit_id": "{unit}", "bundle_code": "newborn", "applicant": APPLICANT, "data": {}}
    ),
    "GET /api/v1/status/{code:str}": Public("needs the tracking code and a second factor"),
    # residents and the agent's workbench
    "POST /residents/{resident_id:int}/reveal": Obj({"resident_id": "resident"}),
    "GET /residents/of-case/{case_id:int}": Obj({"case_id": "case"}),
    "GET /residents/access-log": Own(),
    "GET /workbench": Own(),
    "GET /workbench/cases": Own(),
    "GET /workbench/cases/{case_id:int}": Obj({"case_id": "case"}),
    "GET /workbench/cases/{case_id:int}/receipt": Obj({"case_id": "case"}),
    "POST /workbench/cases/{case_id:int}/hand-back": Obj({"case_id": "case"}),
    "GET /workbench/window-results": Own(),
    "POST /workbench/window-results/{case_id:int}/hand-out": Obj({"case_id": "case"}),
    "POST /workbench/cases/{case_id:int}/send": Obj({"case_id": "case"}),
    "POST /workbench/cases/{case_id:int}/supply": Obj({"case_id": "case"}),
    "GET /workbench/residents/new": Own(),
    "POST /workbench/residents/new": Own(),
    "POST /workbench/residents/new/check": Own(),
    "POST /workbench/residents/search": ByDesign(
        "a resident is found anywhere by the full ID number they hand over; name and phone "
        "searches stay inside the searcher's subtree (tests/ui)"
    ),
    "GET /workbench/residents/{resident_id:int}": Obj({"resident_id": "resident"}),
    "GET /workbench/residents/{resident_id:int}/consent": Obj({"resident_id": "resident"}),
    "POST /workbench/residents/{resident_id:int}/consent": Obj({"resident_id": "resident"}),
    "GET /workbench/residents/{resident_id:int}/file/{item_code:str}": Obj(
        {"resident_id": "resident"}, fixed={"item_code": PENSION}
    ),
    "POST /workbench/residents/{resident_id:int}/file/{item_code:str}": Obj(
        {"resident_id": "resident"}, fixed={"item_code": PENSION}
    ),
    "POST /workbench/residents/{resident_id:int}/file/{item_code:str}/check": Obj(
        {"resident_id": "resident"}, fixed={"item_code": PENSION}, form={"_field": "remark"}
    ),
    # catalogue, forms, fees
    "GET /guide": Public("the public service guide"),
    "GET /guide/{code:str}": Public("the public service guide"),
    "GET /forms/{code:str}/section": Site({"code": PENSION}),
    "POST /forms/{code:str}/section": Site({"code": PENSION}),
    "POST /forms/{code:str}/upload": Site({"code": PENSION}),
    "GET /admin/catalog": Site(),
    "GET /admin/catalog/items/{code:str}": Site({"code": PENSION}),
    "POST /admin/catalog/items/{code:str}/rules": Site({"code": PENSION}),
    "POST /admin/catalog/plugins": Site(),
    "POST /fees/{item_code:str}": Own({"item_code": PENSION}),
    "POST /api/v1/fees/quote": Own(json={"item_code": PENSION, "data": {}}),
    "GET /api/v1/cases/{case_id:int}/fees": Obj({"case_id": "case"}),
    "GET /payments": Own(),
    "GET /payments/case/{case_id:int}": Obj({"case_id": "case"}),
    "GET /payments/case/{case_id:int}/panel": Obj({"case_id": "case"}),
    "POST /payments/{code:str}": Obj({"code": "payment"}, form={"reference": "ISO-REF-1"}),
    "GET /api/v1/payments/{code:str}": Obj({"code": "payment"}),
    "POST /api/v1/payments/{code:str}": Obj({"code": "payment"}, json={"reference": "ISO-REF-2"}),
    # materials, documents, licences, signatures
    "POST /materials/upload": Own(),
    "GET /materials/of-case/{case_id:int}": Obj({"case_id": "case"}),
    "GET /materials/{public_id:str}": Obj({"public_id": "upload"}),
    "GET /materials/{public_id:str}/thumb": Obj({"public_id": "upload"}),
    "POST /materials/{public_id:str}/remove": Obj({"public_id": "upload"}),
    "GET /documents/case/{case_id:int}": Obj({"case_id": "case"}),
    "GET /documents/{document_id:int}/pdf": Obj({"document_id": "document"}),
    "GET /documents/{document_id:int}/p7s": Obj({"document_id": "document"}),
    "GET /api/v1/cases/{case_id:int}/documents": Obj({"case_id": "case"}),
    "GET /authorisations/{authorisation_id:int}/evidence": Obj(
        {"authorisation_id": "authorisation"}
    ),
    "GET /api/v1/authorisations": Own(),
    "POST /api/v1/authorisations": Own(json={}),
    "GET /api/v1/licences": ByDesign(
        "a resident's e-licences are found by the full ID number they hand over"
    ),
    "GET /api/v1/cases/{case_id:int}/licences": Obj({"case_id": "case"}),
    "GET /licences/case/{case_id:int}": Obj({"case_id": "case"}),
    "POST /licences/case/{case_id:int}/{material_code:str}": Obj(
        {"case_id": "case"}, fixed={"material_code": "id_card"}, form={"licence_id": "1"}
    ),
    "POST /api/v1/cases/{case_id:int}/materials/{material_code:str}/licence": Obj(
        {"case_id": "case"}, fixed={"material_code": "id_card"}, json={"licence_id": 1}
    ),
    "GET /verify": Public("anyone verifies a document"),
    "POST /verify": Public("anyone verifies a document"),
    "GET /verify/document.pdf": Public("anyone verifies a document"),
    "GET /V/{token:str}": Public("the QR code's landing page, by its unguessable token"),
    "GET /api/v1/verify/{code:str}": Public("anyone verifies a document by its code"),
    "POST /api/v1/verify": Public("anyone verifies a document"),
    "POST /api/v1/verify/qr": Public("anyone verifies a document"),
    "GET /ca/certs.pem": Public("the site's public certificates"),
    "GET /ca/chain.pem": Public("the site's public certificates"),
    "GET /ca/crl.pem": Public("the site's revocation list"),
    "GET /ca/root.pem": Public("the site's root certificate"),
    "GET /admin/signing": Site(),
    "POST /admin/signing/checkpoint": Site(),
    "POST /admin/signing/crl": Site(),
    "POST /admin/signing/units": Site(),
    "POST /admin/signing/revoke": Site(),
    # deadlines
    "GET /admin/calendar": Site(),
    "POST /admin/calendar": Site(),
    "GET /api/v1/calendar/overrides": Site(),
    "PUT /api/v1/calendar/overrides/{day:str}": Site({"day": "2030-01-02"}),
    "DELETE /api/v1/calendar/overrides/{day:str}": Site({"day": "2030-01-02"}),
    # supervision and reviews
    "GET /reports": Own(),
    "GET /reports/reconciliation": Own(),
    "GET /reports/red": Own(),
    "POST /reports/red/{case_id:int}/urge": Obj({"case_id": "case"}, form={"message": "隔离催办"}),
    "GET /reports/monthly": Own(),
    "GET /reports/monthly/{report_id:int}": Obj({"report_id": "monthly_report"}),
    "POST /reports/monthly/{report_id:int}/confirm": Obj({"report_id": "monthly_report"}),
    "GET /reports/monthly/export/{kind:str}": Own({"kind": "csv"}),
    "GET /reviews/rate": Public("rating needs the tracking code and a second factor"),
    "POST /reviews/rate": Public("rating needs the tracking code and a second factor"),
    "GET /reviews/r/{token:str}": Public("a rating link, by its unguessable token"),
    "POST /reviews/r/{token:str}": Public("a rating link, by its unguessable token"),
    "GET /reviews/visit/{case_id:int}": Obj({"case_id": "case"}),
    "POST /reviews/visit/{case_id:int}": Obj({"case_id": "case"}, form={"overall": "5"}),
    "GET /reviews/rectifications": Own(),
    "GET /reviews/rectifications/{rect_id:int}": Obj({"rect_id": "rectification"}),
    "POST /reviews/rectifications/{rect_id:int}/appeal": Obj(
        {"rect_id": "rectification"}, form={"note": "隔离"}
    ),
    "POST /reviews/rectifications/{rect_id:int}/callback": Obj(
        {"rect_id": "rectification"}, form={"note": "隔离"}
    ),
    "POST /reviews/rectifications/{rect_id:int}/decide": Obj(
        {"rect_id": "rectification"}, form={"decision": "reject", "note": "隔离"}
    ),
    "POST /reviews/rectifications/{rect_id:int}/resolve": Obj(
        {"rect_id": "rectification"}, form={"outcome": "explained", "note": "隔离"}
    ),
}

OPENAPI_PREFIX = "/api/docs"  # Litestar's generated API documentation: public
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def app_routes(app) -> list[tuple[str, str]]:
    """Every (method, path template) the app serves, as ``app.routes`` lists them."""
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods):
                if method not in ("OPTIONS", "HEAD"):
                    found.append((method, route.path))
    return sorted(set(found))


def account_routes(app) -> set[tuple[str, str]]:
    """Routes anyone logged in may use on their own account (log out, change password)."""
    return {
        (method, route.path)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get(ACCOUNT_ROUTE)
        for method in handler.http_methods
    }


def classify(method: str, path: str):
    if path.startswith(OPENAPI_PREFIX):
        return Public("the API's documentation")
    return ROUTES.get(f"{method} {path}")


def test_every_route_is_classified(app):
    """A new route fails here until it says how it keeps tenants apart."""
    missing = [f"{m} {p}" for m, p in app_routes(app) if classify(m, p) is None]
    assert not missing, (
        "classify these routes in ROUTES of tests/test_isolation.py "
        "(Public, Site, Own, Obj or ByDesign):\n  " + "\n  ".join(missing)
    )


# -- the two sides: objects in Qijiang and in Nanchuan ------------------------------


@dataclass
class Side:
    """The objects of one district, as the other district must never see them."""

    tag: str
    district: str
    township: str
    values: dict[str, Any] = field(default_factory=dict)  # kind -> path/body value
    rows: list[tuple[Any, int]] = field(default_factory=list)  # (table, id) to keep unchanged
    markers: set[str] = field(default_factory=set)  # strings that identify these objects
    admin_id: int = 0

    def marker(self, length: int = 24) -> str:
        value = f"ISO{self.tag}{uuid.uuid4().hex}"[:length]
        self.markers.add(value)
        return value


@lru_cache(maxsize=1)
def _password_hash() -> str:
    return hash_password(PASSWORD)


async def _staff(username: str, unit_id: int, role: str, display_name: str | None = None) -> int:
    staff = (
        await Staff.insert(
            Staff(
                username=username,
                display_name=display_name or username,
                password_hash=_password_hash(),
            )
        ).returning(Staff.id)
    )[0]["id"]
    await Membership.insert(Membership(staff=staff, unit=unit_id, role=role))
    return staff


async def _unit(code: str) -> dict:
    return await Unit.select().where(Unit.code == code).first()


async def _generic_row(table, side: Side) -> Any:
    """A row of another module's table, owned by ``side``: every reference to a case,
    unit, staff member or resident points at the side's own; unique text is a marker."""
    values: dict[str, Any] = {}
    for column in table._meta.columns:
        name = column._meta.name
        if column._meta.primary_key:
            continue
        if isinstance(column, ForeignKey):
            target = column._foreign_key_meta.resolved_references
            mapping = {Case: "case_id", Unit: "unit_id", Staff: "staff_id", Resident: "resident_id"}
            if target in mapping:
                values[name] = side.values[mapping[target]]
            elif not column._meta.null:
                values[name] = (await _generic_row(target, side)).id
        elif isinstance(column, Integer) and name in ("case", "unit", "uploaded_by", "staff"):
            key = {"case": "case_id", "unit": "unit_id"}.get(name, "staff_id")
            values[name] = side.values[key]
        elif isinstance(column, Varchar) and name == "scope_path":
            values[name] = side.values["path"]
        elif isinstance(column, Varchar) and column._meta.unique:
            values[name] = side.marker(min(column.length, 40))
    row = table(**values)
    await row.save()
    side.rows.append((table, row.id))
    return row


def _table(dotted: str):
    module, _, name = dotted.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)


async def _build_side(tag: str, district: str, app) -> Side:
    serial = {"Q": 8, "N": 9}[tag]
    town = f"{district[:6]}10{serial}000"
    side = Side(tag=tag, district=district, township=town)
    name = f"隔离{tag}镇"
    rows = [
        {
            "code": town,
            "name": name,
            "name_en": f"Isolation {tag} Town",
            "kind": "township",
            "level": "township",
            "parent_code": district,
        },
        {
            "code": f"{town}-BM",
            "name": f"{name}便民服务中心",
            "name_en": "",
            "kind": "service_centre",
            "level": "township",
            "parent_code": town,
        },
        {
            "code": f"{town[:9]}201",
            "name": f"{name}一村",
            "name_en": "",
            "kind": "village",
            "level": "village",
            "parent_code": town,
        },
    ]
    report = await import_units(to_csv(rows))
    assert report.ok, [e.text() for e in report.errors]
    # Unit names are not secret (the division tree is public); what lives in the units is.
    township, centre, village = [await _unit(r["code"]) for r in rows]
    side.values.update(
        unit=township["id"], unit_id=township["id"], unit_code=town, path=village["path"]
    )
    side.rows += [(Unit, township["id"]), (Unit, centre["id"]), (Unit, village["id"])]

    staff_name = f"隔离{tag}窗口"
    side.values["staff_id"] = side.values["staff"] = await _staff(
        f"iso{tag.lower()}clerk", centre["id"], "window_clerk", staff_name
    )
    side.markers.add(staff_name)
    side.rows.append((Staff, side.values["staff"]))
    side.admin_id = await _staff(
        f"iso{tag.lower()}admin", (await _unit(district))["id"], "district_admin"
    )

    resident_name = f"隔离{tag}居民"
    resident = (
        await Resident.insert(
            Resident(name=resident_name, id_number_hash=side.marker(40))
        ).returning(Resident.id)
    )[0]["id"]
    side.markers.add(resident_name)
    side.values["resident_id"] = side.values["resident"] = resident
    side.rows.append((Resident, resident))

    from core.catalog.tables import ItemVersion

    version = await ItemVersion.select(ItemVersion.id).first()
    tracking = side.marker(20)
    case = (
        await Case.insert(
            Case(
                tracking_code=tracking,
                item_code=PENSION,
                item_version=version["id"],
                state="submitted",
                filed_unit=village["id"],
                scope_path=village["path"],
                resident=resident,
                filed_by=side.values["staff"],
            )
        ).returning(Case.id)
    )[0]["id"]
    await Task.insert(Task(case=case, step_id="accept", unit=centre["id"], role="window_clerk"))
    side.values["case_id"] = side.values["case"] = case
    side.rows.append((Case, case))

    token_id, secret = await tokens.create_token(
        await _principal("admin"),
        name=f"隔离{tag}系统",
        unit_code=f"{town}-BM",
        role="window_clerk",
    )
    side.values["token"] = token_id
    side.markers |= {secret, f"隔离{tag}系统"}

    for kind, dotted, key in [
        ("document", "core.signing.tables.Document", "id"),
        ("authorisation", "core.signing.tables.Authorisation", "id"),
        ("upload", "core.materials.tables.Upload", "public_id"),
        ("payment", "core.payments.tables.Assessment", "payment_code"),
        ("bundle", "core.cases.tables.Bundle", "id"),
        ("rectification", "core.reviews.tables.Rectification", "id"),
        ("monthly_report", "core.reports.tables.MonthlyReport", "id"),
    ]:
        row = await _generic_row(_table(dotted), side)
        side.values[kind] = getattr(row, key)

    job = side.marker(16)
    await app.stores.get("import-progress").set(
        job,
        json.dumps(
            {
                "owner": side.admin_id,
                "state": "done",
                "done": 1,
                "total": 1,
                "file": name,
                "created": 1,
                "unchanged": 0,
                "errors": [],
            }
        ),
        expires_in=3600,
    )
    side.values["import_job"] = job
    return side


# -- who asks --------------------------------------------------------------------------


@dataclass
class Actor:
    name: str
    browser: Browser
    foreign: Side
    token: str | None = None  # a department system: API only
    read_only: bool = False  # every change refused (the auditor)


def _unit_for_role(role) -> str:
    if role.key == "village_agent":
        return "village"
    if role.admin or role.read_only:
        return "district"
    if role.key in ("window_clerk",):
        return "centre"
    if role.key == "unit_supervisor":
        return "district_centre"
    return "department"


@pytest.fixture(scope="module")
async def matrix(app):
    qijiang = await _build_side("Q", "509910000000", app)
    nanchuan = await _build_side("N", "509920000000", app)
    places = {
        "village": (await _unit("509910108201"))["id"],
        "centre": (await _unit("509910108000-BM"))["id"],
        "district": (await _unit("509910000000"))["id"],
        "district_centre": (await _unit("509910000000-ZW"))["id"],
        "department": (await _unit("509910000000-SB"))["id"],
    }
    clients: list[httpx.AsyncClient] = []
    actors: list[Actor] = []

    async def session(username: str) -> Browser:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(f"10.77.0.{len(clients) + 1}", 5000)),
            base_url="http://testserver.local",
        )
        clients.append(client)
        browser = Browser(client)
        await browser.login(username, PASSWORD)
        return browser

    for role in get_catalog().roles.values():
        if role.root_only:
            continue  # held at the top unit: the whole tree is theirs, nothing is foreign
        username = f"iso_{role.key}"[:64]
        await _staff(username, places[_unit_for_role(role)], role.key)
        actors.append(
            Actor(role.key, await session(username), foreign=nanchuan, read_only=role.read_only)
        )
    nanchuan_clerk = "iso_nanchuan_clerk"
    await _staff(nanchuan_clerk, (await _unit("509920109000-BM"))["id"], "window_clerk")
    actors.append(Actor("window_clerk@Nanchuan", await session(nanchuan_clerk), foreign=qijiang))
    _, secret = await tokens.create_token(
        await _principal("admin"),
        name="隔离矩阵系统",
        unit_code="509910108000-BM",
        role="window_clerk",
    )
    system = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("10.77.1.1", 5000)),
        base_url="http://testserver.local",
    )
    clients.append(system)
    actors.append(Actor("api-token", Browser(system), foreign=nanchuan, token=secret))
    yield actors
    for client in clients:
        await client.aclose()
    # Leave no fake document, upload or case behind for tests that walk every row.
    for side in (qijiang, nanchuan):
        for table, row_id in reversed(side.rows):
            if table in (Unit, Staff):
                continue
            if table is Case:
                await Task.delete().where(Task.case == row_id)
            await table.delete().where(table.id == row_id)


async def _principal(username: str):
    from tests.tenancy.support import principal

    return await principal(username)


# -- asking ------------------------------------------------------------------------------


def _fill(template: str, values: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+):[^}]+\}", lambda m: str(values[m.group(1)]), template)


def _substitute(data: Any, kinds: dict[str, Any]) -> Any:
    if isinstance(data, dict):
        return {k: _substitute(v, kinds) for k, v in data.items()}
    if isinstance(data, list):
        return [_substitute(v, kinds) for v in data]
    if isinstance(data, str) and data.startswith("{") and data.endswith("}"):
        value = kinds[data[1:-1]]
        return value
    return data


def _missing_values(side: Side) -> dict[str, Any]:
    values = {}
    for kind, value in side.values.items():
        values[kind] = MISSING_INT if isinstance(value, int) else MISSING_STR
    values["unit_code"] = "999999999999"
    return values


async def _ask(actor: Actor, method: str, path: str, rule, values: dict[str, Any]):
    params = {**rule.fixed}
    for name, kind in getattr(rule, "params", {}).items():
        params[name] = values[kind]
    url = _fill(path, params)
    headers = {"accept": "text/html"}
    if actor.token:
        headers["authorization"] = f"Bearer {actor.token}"
    client = actor.browser.client
    if method not in UNSAFE:
        return url, await client.request(
            method, url, params=getattr(rule, "query", None), headers=headers
        )
    if not actor.browser.csrf:
        await client.get("/login")
    headers["x-csrftoken"] = actor.browser.csrf
    if getattr(rule, "json", None) is not None or path.startswith("/api/"):
        body = _substitute(getattr(rule, "json", None) or {}, values)
        return url, await client.request(
            method, url, json=body, headers={**headers, "accept": "application/json"}
        )
    form = {k: str(v) for k, v in _substitute(getattr(rule, "form", {}), values).items()}
    form["_csrf_token"] = actor.browser.csrf
    return url, await client.request(method, url, data=form, headers=headers)


def _normalised(text: str, values: list[Any]) -> str:
    """The answer with the values the request named taken out (applied to both answers alike,
    so that what they have in common stays in common)."""
    for value in sorted({str(v) for v in values if v not in (None, "")}, key=len, reverse=True):
        text = text.replace(value, "{VALUE}")
    return text


def _used(rule, values: dict[str, Any]) -> list[Any]:
    kinds = set(getattr(rule, "params", {}).values())
    body = json.dumps([getattr(rule, "form", {}), getattr(rule, "json", None)])
    kinds |= set(re.findall(r'"\{(\w+)\}"', body))
    return [values[k] for k in kinds if k in values]


def _leaks(text: str, side: Side) -> list[str]:
    return sorted(m for m in side.markers if m in text)


async def _digest(sides) -> tuple:
    """Row counts and highest ids of every table, and the foreign rows themselves."""
    from piccolo.conf.apps import AppRegistry

    tables = [
        t
        for app in AppRegistry(apps=piccolo_app_paths()).app_configs.values()
        for t in app.table_classes
    ]
    sql = " UNION ALL ".join(
        f"SELECT '{t._meta.tablename}' AS t, COUNT(*) AS n, MAX(id) AS m FROM {t._meta.tablename}"
        for t in tables
    )
    counts = tuple(sorted((r["t"], r["n"], r["m"]) for r in await Unit.raw(sql)))
    by_table: dict[Any, list[int]] = {}
    for side in sides:
        for table, row_id in side.rows:
            by_table.setdefault(table, []).append(row_id)
    rows = []
    for table, ids in by_table.items():
        for row in await table.select().where(table.id.is_in(ids)).order_by(table.id):
            rows.append((table._meta.tablename, repr(sorted((k, str(v)) for k, v in row.items()))))
    return counts, tuple(rows)


def _applies(actor: Actor, path: str) -> bool:
    # A token opens the API only; elsewhere it is ignored and the caller is anonymous.
    return actor.token is None or path.startswith("/api/")


def _not_refused(actor: Actor, where: str, method: str, account: bool, *responses) -> list[str]:
    """A read-only principal (the auditor) is refused every change but its own account's."""
    if not actor.read_only or method not in UNSAFE or account:
        return []
    return [
        f"{where}: a read-only caller was answered {r.status_code}, not refused (403)"
        for r in responses
        if r.status_code != 403
    ][:1]


async def _check_object(
    actor: Actor, method: str, path: str, rule: Obj, account: bool = False
) -> list[str]:
    side = actor.foreign
    missing_values = _missing_values(side)
    _, foreign = await _ask(actor, method, path, rule, side.values)
    _, missing = await _ask(actor, method, path, rule, missing_values)
    where = f"{method} {path} as {actor.name}"
    used = _used(rule, side.values) + _used(rule, missing_values)
    body_f, body_m = _normalised(foreign.text, used), _normalised(missing.text, used)
    problems = _logged_out(actor, where, foreign, missing)
    problems += _not_refused(actor, where, method, account, foreign, missing)
    if foreign.status_code != missing.status_code:
        problems.append(f"{where}: foreign {foreign.status_code}, missing {missing.status_code}")
    elif body_f != body_m:
        at = next((i for i, (a, b) in enumerate(zip(body_f, body_m, strict=False)) if a != b), 0)
        problems.append(
            f"{where}: foreign and missing answered differently: "
            f"{body_f[max(0, at - 60) : at + 60]!r} / {body_m[max(0, at - 60) : at + 60]!r}"
        )
    if leaked := _leaks(body_f, side):
        problems.append(f"{where}: shows {leaked}")
    return problems


async def _check_own(
    actor: Actor, method: str, path: str, rule, account: bool = False
) -> list[str]:
    _, response = await _ask(actor, method, path, rule, actor.foreign.values)
    where = f"{method} {path} as {actor.name}"
    problems = _logged_out(actor, where, response)
    problems += _not_refused(actor, where, method, account, response)
    if leaked := _leaks(response.text, actor.foreign):
        problems.append(f"{where}: shows {leaked}")
    return problems


def _logged_out(actor: Actor, where: str, *responses) -> list[str]:
    """Every answer must come to a logged-in caller, or the matrix would prove nothing."""
    for response in responses:
        location = response.headers.get("location", "") + response.headers.get("hx-redirect", "")
        if response.status_code == 401 or location.startswith("/login"):
            return [f"{where}: the caller was not logged in (the matrix must stay logged in)"]
    return []


async def _check_route(
    method: str, path: str, rule, actors: list[Actor], account: bool = False
) -> list[str]:
    check = _check_object if isinstance(rule, Obj) else _check_own
    found = await asyncio.gather(*(check(a, method, path, rule, account) for a in actors))
    return [problem for problems in found for problem in problems]


async def test_no_route_leaks_across_subtrees(app, matrix):
    """Reads run all at once; each state-changing route runs alone, every principal at
    once, with the database compared before and after it."""
    problems: list[str] = []
    checked = 0
    sides = list({id(a.foreign): a.foreign for a in matrix}.values())
    reads, writes = [], []
    for method, path in app_routes(app):
        rule = classify(method, path)
        if isinstance(rule, Public | ByDesign) or rule is None:
            continue
        actors = [a for a in matrix if _applies(a, path)]
        checked += len(actors) * (2 if isinstance(rule, Obj) else 1)
        (writes if method in UNSAFE else reads).append((method, path, rule, actors))
    limit = asyncio.Semaphore(8)

    async def read(method, path, rule, actors):
        async with limit:
            return await _check_route(method, path, rule, actors)

    for found in await asyncio.gather(*(read(*job) for job in reads)):
        problems += found
    before = await _digest(sides)
    account = account_routes(app)
    for method, path, rule, actors in writes:
        problems += await _check_route(method, path, rule, actors, (method, path) in account)
        after = await _digest(sides)
        if isinstance(rule, Obj) and after[0] != before[0]:
            problems.append(f"{method} {path}: rows were added or removed")
        if after[1] != before[1]:
            changed = sorted({t for t, _ in set(after[1]) ^ set(before[1])})
            problems.append(f"{method} {path}: changed foreign rows in {changed}")
        before = after
    print(f"{checked} requests checked")
    assert checked > 500
    assert any(a.read_only for a in matrix) and writes  # the read-only rule was exercised
    assert not problems, f"{len(problems)} leaks:\n  " + "\n  ".join(problems)


async def test_the_foreign_objects_are_real_to_their_own_side(matrix):
    """The matrix's objects exist and their own side sees them: a foreign object answered
    like a missing one is isolation, not a typo in the test."""
    nanchuan_clerk = next(a for a in matrix if a.name == "window_clerk@Nanchuan")
    own = nanchuan_clerk.foreign  # Qijiang's objects …
    theirs = next(a for a in matrix if a.name == "district_admin").foreign  # … and Nanchuan's
    seen = await nanchuan_clerk.browser.get(f"/cases/{theirs.values['case_id']}")
    assert seen.status_code == 200
    assert any(m in seen.text for m in theirs.markers)
    admin = next(a for a in matrix if a.name == "district_admin")
    for url in (
        f"/admin/units/{own.values['unit_id']}",
        f"/admin/staff/{own.values['staff_id']}",
    ):
        assert (await admin.browser.get(url)).status_code == 200, url
