"""A small world for case tests that does not depend on plugins/ (rewritten elsewhere).

Two test plugins, registered into the process's plugin manager for the
tests that use the ``world`` fixture: department A (items with review,
decision, issue and delivery, a joint decision, countersign steps) and
department B (one item, and a bundle across both plugins). Their offices
are units inserted under the demo districts; their staff are created here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from core import hookimpl
from core.api import UnitKind
from core.tenancy.auth import hash_password, load_principal
from core.tenancy.tables import Membership, Staff, Unit

SHANGHAI = ZoneInfo("Asia/Shanghai")

SIMPLE = "TA0000000001"  # accept, review, decide (return/transfer/delegate), issue, deliver
JOINT = "TA0000000002"  # accept, joint decision by A (silence is consent) and B
SIGN_ALL = "TA0000000003"  # accept, countersigned decision (all)
SIGN_ANY = "TA0000000004"  # accept, countersigned decision (any)
TOWNSHIP_ONLY = "TA0000000005"  # may not be filed at a village
JOINT_REVIEW = "TA0000000006"  # accept, joint review by A and B, decision by A
FEE_ITEM = "TA0000000007"  # accept, decide, issue; a 10-yuan fee; a scan as a file field
WAIVED_ITEM = "TA0000000008"  # the same with the fee waived (0.00)
B_ITEM = "TB0000000001"  # department B's own item
BUNDLE = "test_newborn"

OFFICE_A = "509910000000-TA"
OFFICE_A_ELSEWHERE = "509920000000-TA"
OFFICE_B = "509910000000-TB"
VILLAGE = "509910101201"
TOWNSHIP_CENTRE = "509910101000-BM"
DISTRICT_CENTRE = "509910000000-ZW"

MATERIALS = [
    {"code": "id_card", "name": "居民身份证", "name_en": "ID card"},
    {"code": "application", "name": "申请表", "name_en": "Application form"},
    {"code": "photo", "name": "照片", "name_en": "Photo", "required": False},
]

ACCEPT = {
    "id": "accept",
    "kind": "accept",
    "name": "乡镇受理",
    "name_en": "Acceptance",
    "role": "window_clerk",
    "unit_kind": "service_centre",
    "level": "township",
    "days": 1,
    "allow": ["transfer"],
}


def step(id_: str, kind: str, office: str, role: str, **more) -> dict:
    return {
        "id": id_,
        "kind": kind,
        "name": f"{id_} 步骤",
        "name_en": f"Step {id_}",
        "role": role,
        "unit_kind": office,
        "level": "district",
        **more,
    }


def item(
    code: str, name: str, steps: list[dict], department: str = "test_office_a", **more
) -> dict:
    return {
        "code": code,
        "name": name,
        "name_en": f"Test item {code}",
        "type": "public_service",
        "department": department,
        "legal_basis": "《测试条例》第一条",
        "accept_levels": ["village", "township", "district"],
        "instant": False,
        "statutory_days": 10,
        "committed_days": 5,
        "visits": 0,
        "proxy_allowed": True,
        "online_depth": 1,
        "postal_delivery": True,
        "materials": MATERIALS,
        "form": {
            "fields": [
                {
                    "name": "purpose",
                    "type": "text",
                    "label": "用途",
                    "label_en": "Purpose",
                    "required": True,
                    "max_length": 50,
                }
            ]
        },
        "workflow": {"steps": [ACCEPT, *steps]},
        **more,
    }


ITEMS_A = [
    item(
        SIMPLE,
        "测试事项（单部门）",
        [
            step("review", "review", "test_office_a", "dept_reviewer", days=2),
            step(
                "decide",
                "decide",
                "test_office_a",
                "dept_approver",
                days=2,
                allow=["return", "transfer", "delegate"],
                return_to=["review"],
            ),
            step("issue", "issue", "test_office_a", "dept_approver"),
            {
                "id": "deliver",
                "kind": "deliver",
                "name": "窗口送达",
                "role": "window_clerk",
                "unit_kind": "service_centre",
                "level": "township",
            },
        ],
        excluded_procedures=["expert_review", "hearing"],
    ),
    item(
        JOINT,
        "测试事项（并联审批）",
        [
            {
                "id": "joint",
                "kind": "parallel",
                "name": "并联审批",
                "branches": [
                    step(
                        "branch_a",
                        "decide",
                        "test_office_a",
                        "dept_approver",
                        days=2,
                        silence_is_consent=True,
                    ),
                    step("branch_b", "decide", "test_office_b", "dept_approver", days=3),
                ],
            }
        ],
    ),
    item(
        SIGN_ALL,
        "测试事项（会签）",
        [
            step(
                "decide",
                "decide",
                "test_office_a",
                "dept_approver",
                days=3,
                countersign="all",
                allow=["add_signer", "remove_signer"],
            )
        ],
    ),
    item(
        SIGN_ANY,
        "测试事项（或签）",
        [step("decide", "decide", "test_office_a", "dept_approver", countersign="any")],
    ),
    item(
        TOWNSHIP_ONLY,
        "测试事项（不下沉到村）",
        [step("decide", "decide", "test_office_a", "dept_approver")],
        accept_levels=["township", "district"],
    ),
    item(
        JOINT_REVIEW,
        "测试事项（联合审查）",
        [
            {
                "id": "joint_review",
                "kind": "parallel",
                "name": "联合审查",
                "branches": [
                    step("review_a", "review", "test_office_a", "dept_reviewer"),
                    step("review_b", "review", "test_office_b", "dept_approver"),
                ],
            },
            step("decide", "decide", "test_office_a", "dept_approver"),
        ],
    ),
    *[
        item(
            code,
            name,
            [
                step("decide", "decide", "test_office_a", "dept_approver"),
                step("issue", "issue", "test_office_a", "dept_approver"),
            ],
            fees=[
                {
                    "name": "测试工本费",
                    "name_en": "Test fee",
                    "amount": amount,
                    "legal_basis": "《测试条例》第二条",
                }
            ],
            form={
                "fields": [
                    {"name": "purpose", "type": "text", "label": "用途", "required": True},
                    {
                        "name": "scan",
                        "type": "file",
                        "label": "身份证扫描件",
                        "label_en": "ID card scan",
                        "accept": ["image/*", "application/pdf"],
                        "material": "id_card",
                    },
                ]
            },
        )
        for code, name, amount in (
            (FEE_ITEM, "测试事项（收费）", "10"),
            (WAIVED_ITEM, "测试事项（免收费）", "0"),
        )
    ],
]
ITEMS_B = [
    item(
        B_ITEM,
        "测试事项（乙部门）",
        [step("decide", "decide", "test_office_b", "dept_approver", days=3)],
        department="test_office_b",
    )
]


class DepartmentA:
    """Test plugin A: an office kind and eight items."""

    @hookimpl
    def tongban_unit_kinds(self):
        return [
            UnitKind(
                key="test_office_a",
                name="测试甲局",
                name_en="Test office A",
                levels=("district",),
                department=True,
            )
        ]

    @hookimpl
    def tongban_items(self):
        return ITEMS_A


class DepartmentB:
    """Test plugin B: another office kind, one item, and the bundle across A and B."""

    @hookimpl
    def tongban_unit_kinds(self):
        return [
            UnitKind(
                key="test_office_b",
                name="测试乙局",
                name_en="Test office B",
                levels=("district",),
                department=True,
            )
        ]

    @hookimpl
    def tongban_items(self):
        return ITEMS_B

    @hookimpl
    def tongban_bundles(self):
        return [
            {
                "code": BUNDLE,
                "name": "测试一件事",
                "name_en": "Test bundle",
                "items": [SIMPLE, B_ITEM],
                "shared_materials": ["id_card"],
            }
        ]


PLUGINS = (("test_department_a", DepartmentA()), ("test_department_b", DepartmentB()))

STAFF = {
    "t_agent": [(VILLAGE, "village_agent")],
    "t_clerk": [(TOWNSHIP_CENTRE, "window_clerk")],
    "t_rev_a": [(OFFICE_A, "dept_reviewer")],
    "t_app_a": [(OFFICE_A, "dept_approver")],
    "t_app_a2": [(OFFICE_A, "dept_approver")],
    "t_app_b": [(OFFICE_B, "dept_approver")],
    "t_app_far": [(OFFICE_A_ELSEWHERE, "dept_approver")],
    "t_sup": [(DISTRICT_CENTRE, "unit_supervisor")],
    "t_auditor": [("509900000000", "auditor")],
}


def register_plugins() -> None:
    from core.cases.bundles import get_bundles
    from core.catalog.registry import get_catalog
    from core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    for name, plugin in PLUGINS:
        if not pm.has_plugin(name):
            pm.register(plugin, name=name)
    get_catalog.cache_clear()
    get_bundles.cache_clear()


def unregister_plugins() -> None:
    from core.cases.bundles import get_bundles
    from core.catalog.registry import get_catalog
    from core.plugins import get_plugin_manager

    pm = get_plugin_manager()
    for name, _ in PLUGINS:
        if pm.has_plugin(name):
            pm.unregister(name=name)
    get_catalog.cache_clear()
    get_bundles.cache_clear()


async def _unit(code: str, parent_code: str, kind: str, name: str) -> int:
    found = await Unit.select(Unit.id).where(Unit.code == code).first()
    if found:
        return found["id"]
    parent = (
        await Unit.select(Unit.id, Unit.path, Unit.depth).where(Unit.code == parent_code).first()
    )
    row = await Unit.insert(
        Unit(
            code=code,
            name=name,
            name_en=name,
            kind=kind,
            level="district",
            parent=parent["id"],
            path=f"{parent['path']}{code}/",
            depth=parent["depth"] + 1,
        )
    ).returning(Unit.id)
    return row[0]["id"]


async def build_units_and_staff() -> dict[str, int]:
    await _unit(OFFICE_A, "509910000000", "test_office_a", "綦江区测试甲局")
    await _unit(OFFICE_A_ELSEWHERE, "509920000000", "test_office_a", "南川区测试甲局")
    await _unit(OFFICE_B, "509910000000", "test_office_b", "綦江区测试乙局")
    ids = {}
    password = hash_password("test-password-1")
    for username, memberships in STAFF.items():
        staff = await Staff.select(Staff.id).where(Staff.username == username).first()
        if staff is None:
            staff = (
                await Staff.insert(
                    Staff(username=username, display_name=f"测试{username}", password_hash=password)
                ).returning(Staff.id)
            )[0]
            for code, role in memberships:
                unit = await Unit.select(Unit.id).where(Unit.code == code).first()
                await Membership.insert(Membership(staff=staff["id"], unit=unit["id"], role=role))
        ids[username] = staff["id"]
    return ids


def id_number(seq: int) -> str:
    """A valid GB 11643 ID number, different for each ``seq``."""
    body = f"110105198001{(seq // 1000) % 28 + 1:02d}{seq % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def applicant(seq: int) -> dict:
    return {"name": f"测试居民{seq}", "id_number": id_number(seq), "phone": f"139{seq:08d}"}


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class World:
    staff: dict[str, int]
    principals: dict = field(default_factory=dict)
    counter: int = 0

    async def who(self, username: str):
        if username not in self.principals:
            self.principals[username] = await load_principal(self.staff[username])
        return self.principals[username]

    async def who_admin(self):
        """The demo site's city admin."""
        staff = await Staff.select(Staff.id).where(Staff.username == "admin").first()
        return await load_principal(staff["id"])

    async def unit_id(self, code: str) -> int:
        return (await Unit.select(Unit.id).where(Unit.code == code).first())["id"]

    def next_applicant(self) -> dict:
        self.counter += 1
        return applicant(self.counter)

    async def authorise(self, by: str, person: dict) -> None:
        """The resident's consent to proxy filing (signed on the agent's tablet)."""
        from core.signing import authorisations
        from tests.helpers import signature_png

        await authorisations.record(
            await self.who(by),
            name=person["name"],
            id_number=person["id_number"],
            method="tablet",
            evidence=signature_png(),
        )

    async def file(
        self, item_code: str = SIMPLE, *, by: str = "t_agent", unit: str = VILLAGE, **more
    ):
        from core.cases import services

        person = more.pop("applicant", None) or self.next_applicant()
        principal = await self.who(by)
        if principal.has_role("village_agent"):
            await self.authorise(by, person)
        return await services.submit(
            principal,
            unit_id=await self.unit_id(unit),
            item_code=item_code,
            applicant=person,
            data=more.pop("data", None) or {"purpose": "测试"},
            **more,
        )

    async def act(self, username: str, case_id: int, action: str, **params) -> dict:
        from core.cases import services

        return await services.act(await self.who(username), case_id, action, **params)
