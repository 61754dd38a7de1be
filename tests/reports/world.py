"""A small world of its own for the supervision tests: a district with two townships,
their villages and offices, the people who work there, and a way to move time.

The district is new (``5099800…``), so its figures hold only what these
tests put there, whatever else the session's database contains. Cases are
filed and handled through the real services; ``travel(moment)`` sets the
clock case handling reads (:func:`core.cases.timing.utcnow`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.cases import bundles, handling, services, timing
from core.signing import authorisations
from core.tenancy.accounts import create_staff
from core.tenancy.auth import load_principal
from core.tenancy.scope import Principal
from core.tenancy.tables import Staff, Unit
from core.tenancy.units_import import import_units
from tests.helpers import signature_png

TZ = ZoneInfo("Asia/Shanghai")
DISTRICT = "509980000000"
TOWN_A, TOWN_B = "509980101000", "509980102000"
WINDOW_A, WINDOW_B = f"{TOWN_A}-BM", f"{TOWN_B}-BM"
VILLAGE_A1, VILLAGE_A2, VILLAGE_B1 = "509980101201", "509980101202", "509980102201"
OFFICE = f"{DISTRICT}-SB"
CENTRE = f"{DISTRICT}-ZW"

UNITS = f"""code,name,name_en,kind,level,parent_code
{DISTRICT},督办测试区,Supervision Test District,district,district,509900000000
{CENTRE},督办测试区政务服务中心,Test District Service Centre,service_centre,district,{DISTRICT}
{OFFICE},督办测试区社会保险事务中心,Test District Social Insurance Centre,social_security_office,district,{DISTRICT}
{TOWN_A},甲镇,Town A,township,township,{DISTRICT}
{WINDOW_A},甲镇便民服务中心,Town A Service Centre,service_centre,township,{TOWN_A}
{VILLAGE_A1},甲一村,Village A1,village,village,{TOWN_A}
{VILLAGE_A2},甲二村,Village A2,village,village,{TOWN_A}
{TOWN_B},乙镇,Town B,township,township,{DISTRICT}
{WINDOW_B},乙镇便民服务中心,Town B Service Centre,service_centre,township,{TOWN_B}
{VILLAGE_B1},乙一村,Village B1,village,village,{TOWN_B}
"""

PASSWORD = "supervision-test-pw-1"
STAFF = {
    # username: (display name, unit, role)
    "rpt_agent_a1": ("甲一村代办员", VILLAGE_A1, "village_agent"),
    "rpt_agent_b1": ("乙一村代办员", VILLAGE_B1, "village_agent"),
    "rpt_clerk_a": ("甲镇窗口", WINDOW_A, "window_clerk"),
    "rpt_clerk_b": ("乙镇窗口", WINDOW_B, "window_clerk"),
    "rpt_approver": ("测试区社保审批", OFFICE, "dept_approver"),
    "rpt_sup_a": ("甲镇督办", WINDOW_A, "unit_supervisor"),
    "rpt_sup_d": ("测试区督办", CENTRE, "unit_supervisor"),
}


def id_number(serial: int) -> str:
    """A valid resident ID number (GB 11643 check character) born 1960-01-01."""
    body = f"11010519600101{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return body + "10X98765432"[total % 11]


def at(day: str, hour: int = 10, minute: int = 0) -> datetime:
    """A site-local moment, as the aware UTC datetime the services store."""
    local = datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=TZ)
    return local.astimezone(UTC)


@dataclass
class World:
    units: dict[str, dict]
    people: dict[str, Principal]
    moment: list[datetime] = field(default_factory=list)

    def unit(self, code: str) -> dict:
        return self.units[code]

    def path(self, code: str) -> str:
        return self.units[code]["path"]

    def who(self, username: str) -> Principal:
        return self.people[username]


async def build_world() -> World:
    """Create (once per database) the district, its units and its staff."""
    if not await Unit.exists().where(Unit.code == DISTRICT):
        report = await import_units(UNITS, source="supervision tests")
        assert report.ok, [p.text("en") for p in report.errors]
    for username, (name, unit, role) in STAFF.items():
        if not await Staff.exists().where(Staff.username == username):
            await create_staff(username, name, PASSWORD, unit, role, must_change_password=False)
    codes = [line.split(",")[0] for line in UNITS.splitlines()[1:]]
    units = {
        row["code"]: row
        for row in await Unit.select(Unit.id, Unit.code, Unit.path, Unit.name).where(
            Unit.code.is_in(codes)
        )
    }
    people = {}
    for username in STAFF:
        staff = await Staff.select(Staff.id).where(Staff.username == username).first()
        people[username] = await load_principal(staff["id"])
    return World(units=units, people=people)


class TimeMachine:
    """Sets the moment case handling reads; every test that moves it puts it back."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def travel(self, moment: datetime) -> None:
        self.monkeypatch.setattr(timing, "utcnow", lambda: moment)


async def file_case(
    world: World,
    clock: TimeMachine,
    username: str,
    unit_code: str,
    item_code: str,
    moment: datetime,
    *,
    resident: int = 1,
) -> int:
    """File through the real services; an agent first records the resident's consent."""
    clock.travel(moment)
    principal = world.who(username)
    person = {"name": "测试居民", "id_number": id_number(resident), "phone": "13800138000"}
    unit_id = world.unit(unit_code)["id"]
    if principal.has_role("village_agent"):
        await authorisations.record(
            principal,
            name=person["name"],
            id_number=person["id_number"],
            method="tablet",
            evidence=signature_png(),
            unit_id=unit_id,
        )
    created = await services.submit(
        principal,
        unit_id=unit_id,
        item_code=item_code,
        applicant=person,
        data={"purpose": "督办统计测试"},
    )
    return created["id"]


async def file_bundle(
    world: World, clock: TimeMachine, username: str, unit_code: str, code: str, items, moment
) -> list[int]:
    clock.travel(moment)
    principal = world.who(username)
    person = {"name": "测试居民", "id_number": id_number(2), "phone": "13800138000"}
    unit_id = world.unit(unit_code)["id"]
    await authorisations.record(
        principal,
        name=person["name"],
        id_number=person["id_number"],
        method="tablet",
        evidence=signature_png(),
        unit_id=unit_id,
    )
    created = await bundles.submit_bundle(
        principal,
        unit_id=unit_id,
        bundle_code=code,
        applicant=person,
        data={item: {"purpose": "一件事测试"} for item in items},
        materials=["id_card"],
    )
    return [c["id"] for c in created["cases"]]


async def act(
    world: World, clock: TimeMachine, username: str, case_id: int, action: str, moment, **params
) -> dict:
    clock.travel(moment)
    return await handling.act(world.who(username), case_id, action, **params)
