"""A small world of its own for the supervision tests: a district with two townships,
their villages and offices, the people who work there, and a way to move time.

Each test module builds its own district (``5099<county>000000``, the
module's ``COUNTY``), so its figures hold only what that module put there,
whatever else the session's database contains. Cases are
filed and handled through the real services; ``travel(moment)`` sets the
clock case handling reads (:func:`core.cases.timing.utcnow`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from core.cases import bundles, handling, services, timing
from core.signing import authorisations
from core.tenancy.auth import hash_password, load_principal
from core.tenancy.scope import Principal
from core.tenancy.tables import Membership, Staff, Unit
from core.tenancy.units_import import import_units
from tests.helpers import signature_png

TZ = ZoneInfo("Asia/Shanghai")
PASSWORD = "supervision-test-pw-1"


@dataclass(frozen=True)
class Codes:
    """The unit codes of one test district; ``county`` (80–89) keeps modules apart."""

    county: int = 80

    @property
    def district(self) -> str:
        return f"5099{self.county}000000"

    @property
    def town_a(self) -> str:
        return f"5099{self.county}101000"

    @property
    def town_b(self) -> str:
        return f"5099{self.county}102000"

    @property
    def window_a(self) -> str:
        return f"{self.town_a}-BM"

    @property
    def window_b(self) -> str:
        return f"{self.town_b}-BM"

    @property
    def village_a1(self) -> str:
        return f"5099{self.county}101201"

    @property
    def village_a2(self) -> str:
        return f"5099{self.county}101202"

    @property
    def village_b1(self) -> str:
        return f"5099{self.county}102201"

    @property
    def office(self) -> str:
        return f"{self.district}-SB"

    @property
    def centre(self) -> str:
        return f"{self.district}-ZW"

    def units_csv(self) -> str:
        n = self.county
        return f"""code,name,name_en,kind,level,parent_code
{self.district},督办测试{n}区,Supervision Test District {n},district,district,509900000000
{self.centre},督办测试{n}区政务服务中心,Test District {n} Service Centre,service_centre,district,{self.district}
{self.office},督办测试{n}区社会保险事务中心,Test District {n} Social Insurance Centre,social_security_office,district,{self.district}
{self.town_a},甲{n}镇,Town A{n},township,township,{self.district}
{self.window_a},甲{n}镇便民服务中心,Town A{n} Service Centre,service_centre,township,{self.town_a}
{self.village_a1},甲{n}一村,Village A{n}-1,village,village,{self.town_a}
{self.village_a2},甲{n}二村,Village A{n}-2,village,village,{self.town_a}
{self.town_b},乙{n}镇,Town B{n},township,township,{self.district}
{self.window_b},乙{n}镇便民服务中心,Town B{n} Service Centre,service_centre,township,{self.town_b}
{self.village_b1},乙{n}一村,Village B{n}-1,village,village,{self.town_b}
"""

    def staff(self) -> dict[str, tuple[str, str, str]]:
        """username: (display name, unit, role)."""
        n = self.county
        return {
            f"rpt{n}_agent_a1": (f"甲{n}一村代办员", self.village_a1, "village_agent"),
            f"rpt{n}_agent_b1": (f"乙{n}一村代办员", self.village_b1, "village_agent"),
            f"rpt{n}_clerk_a": (f"甲{n}镇窗口", self.window_a, "window_clerk"),
            f"rpt{n}_clerk_b": (f"乙{n}镇窗口", self.window_b, "window_clerk"),
            f"rpt{n}_approver": (f"测试{n}区社保审批", self.office, "dept_approver"),
            f"rpt{n}_sup_a": (f"甲{n}镇督办", self.window_a, "unit_supervisor"),
            f"rpt{n}_sup_d": (f"测试{n}区督办", self.centre, "unit_supervisor"),
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
    codes: Codes
    units: dict[str, dict]
    people: dict[str, Principal]

    def unit(self, code: str) -> dict:
        return self.units[code]

    def path(self, code: str) -> str:
        return self.units[code]["path"]

    def who(self, role: str) -> Principal:
        """``who("agent_a1")``: the district's person of that name."""
        return self.people[self.username(role)]

    def username(self, role: str) -> str:
        return f"rpt{self.codes.county}_{role}"


async def build_world(codes: Codes) -> World:
    """Create (once per database) the district, its units and its staff."""
    text = codes.units_csv()
    if not await Unit.exists().where(Unit.code == codes.district):
        report = await import_units(text, source="supervision tests")
        assert report.ok, [p.text("en") for p in report.errors]
    staff_list = codes.staff()
    codes_list = [line.split(",")[0] for line in text.splitlines()[1:]]
    units = {
        row["code"]: row
        for row in await Unit.select(Unit.id, Unit.code, Unit.path, Unit.name).where(
            Unit.code.is_in(codes_list)
        )
    }
    # One password hash for everyone: argon2 is slow on purpose, the accounts are not under test.
    password_hash = None
    for username, (name, unit, role) in staff_list.items():
        if await Staff.exists().where(Staff.username == username):
            continue
        password_hash = password_hash or hash_password(PASSWORD)
        staff = await Staff.insert(
            Staff(username=username, display_name=name, password_hash=password_hash)
        ).returning(Staff.id)
        await Membership.insert(Membership(staff=staff[0]["id"], unit=units[unit]["id"], role=role))
    people = {}
    for username in staff_list:
        staff = await Staff.select(Staff.id).where(Staff.username == username).first()
        people[username] = await load_principal(staff["id"])
    return World(codes=codes, units=units, people=people)


class TimeMachine:
    """Sets the moment case handling reads; every test that moves it puts it back."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def travel(self, moment: datetime) -> None:
        self.monkeypatch.setattr(timing, "utcnow", lambda: moment)


async def file_case(
    world: World,
    clock: TimeMachine,
    who: str,
    unit_code: str,
    item_code: str,
    moment: datetime,
    *,
    resident: int = 1,
) -> int:
    """File through the real services; an agent first records the resident's consent."""
    clock.travel(moment)
    principal = world.who(who)
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
    world: World, clock: TimeMachine, who: str, unit_code: str, code: str, items, moment
) -> list[int]:
    clock.travel(moment)
    principal = world.who(who)
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
    world: World, clock: TimeMachine, who: str, case_id: int, action: str, moment, **params
) -> dict:
    clock.travel(moment)
    return await handling.act(world.who(who), case_id, action, **params)
