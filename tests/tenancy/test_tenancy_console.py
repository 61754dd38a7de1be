"""The admin console over HTTP, as an admin's browser uses it (htmx requests included)."""

from __future__ import annotations

import asyncio
import re

from core.tenancy.accounts import create_staff
from core.tenancy.tables import ApiToken, Staff, Unit
from core.tenancy.treegen import to_csv
from tests.tenancy.support import DAGUAN, GANSHUI, QIJIANG

HTMX = {"HX-Request": "true"}


async def upload(browser, url: str, name: str, text: str):
    if not browser.csrf:
        await browser.get("/login")
    return await browser.client.post(
        url,
        data={"_csrf_token": browser.csrf},
        files={"file": (name, text.encode("utf-8"), "text/csv")},
        follow_redirects=True,
    )


async def unit_id(code: str) -> int:
    return (await Unit.select(Unit.id).where(Unit.code == code).first())["id"]


async def test_a_district_admin_browses_and_searches_only_their_district(browser):
    await browser.login("district")
    tree = await browser.get("/admin/units/")
    assert tree.status_code == 200 and "綦江区" in tree.text and "南川区" not in tree.text
    children = await browser.get(f"/admin/units/{await unit_id(QIJIANG)}/children", headers=HTMX)
    assert "赶水镇" in children.text and "<html" not in children.text
    found = await browser.get(
        "/admin/units/", params={"q": "赶水"}, headers={**HTMX, "HX-Target": "unit-results"}
    )
    assert "赶水镇便民服务中心" in found.text and "<html" not in found.text
    foreign = await browser.get(
        "/admin/units/", params={"q": "大观"}, headers={**HTMX, "HX-Target": "unit-results"}
    )
    assert (
        "大观" not in foreign.text.replace('value="大观"', "") and "没有匹配的单位" in foreign.text
    )
    # Another district's unit answers exactly like one that does not exist.
    theirs = await browser.get(f"/admin/units/{await unit_id(DAGUAN)}")
    nobody = await browser.get("/admin/units/987654321")
    assert theirs.status_code == nobody.status_code == 404 and theirs.text == nobody.text


async def test_renaming_and_a_refused_change_on_the_unit_page(browser):
    await browser.login("district")
    ganshui = await unit_id(GANSHUI)
    page = await browser.get(f"/admin/units/{ganshui}")
    assert "麻柳村" in page.text and "赶水镇便民服务中心" in page.text  # its sub-units
    centre = await browser.get(f"/admin/units/{await unit_id('509910101000-BM')}")
    assert "王窗口（赶水镇）" in centre.text and "窗口人员" in centre.text  # the staff there
    bad = await browser.post_form(f"/admin/units/{ganshui}/move", {"parent_code": "509910102201"})
    assert bad.status_code == 422 and "高于其上级的层级" in bad.text
    renamed = await browser.post_form(
        f"/admin/units/{ganshui}/rename", {"name": "赶水镇", "name_en": "Ganshui"}
    )
    assert renamed.status_code == 200 and "单位已改名" in renamed.text
    await browser.post_form(
        f"/admin/units/{ganshui}/rename", {"name": "赶水镇", "name_en": "Ganshui Town"}
    )
    audit = await browser.get("/admin/audit/", params={"action": "unit.rename"})
    assert "赶水镇" in audit.text and "单位改名" in audit.text


async def test_a_city_admin_adds_a_level_from_the_levels_page(browser):
    await browser.login("admin")
    added = await browser.post_form(
        "/admin/levels/",
        [
            ("key", "villagegroup"),
            ("name", "村民小组"),
            ("name_en", "Village group"),
            ("after", "village"),
            ("unit_kinds", "village"),
        ],
    )
    assert added.status_code == 200 and "村民小组" in added.text and "层级已添加" in added.text
    refused = await browser.post_form(
        "/admin/levels/villagegroup/kinds", [("unit_kinds", "window")]
    )
    assert refused.status_code == 200  # no unit uses it: marking other kinds is fine
    removed = await browser.post_form("/admin/levels/villagegroup/remove", {})
    assert removed.status_code == 200 and "村民小组" not in removed.text
    district = await browser.__class__(browser.client).get("/admin/levels/")
    assert district.status_code == 200


async def test_only_city_admins_see_the_level_forms(new_browser):
    district = await new_browser()
    await district.login("district")
    page = await district.get("/admin/levels/")
    assert page.status_code == 200 and "添加层级" not in page.text
    assert (
        await district.post_form("/admin/levels/village/rename", {"name": "x"})
    ).status_code == 403


async def test_an_import_with_errors_lists_them_all_and_imports_nothing(browser):
    await browser.login("district")
    before = await Unit.count()
    text = "code,name,name_en,kind,level,parent_code\n" + "\n".join(
        [
            f"509910104000,新镇,,township,township,{QIJIANG}",
            "509910104201,,,village,village,509910104000",
            "509910104202,新村,,village,village,509920000000",
        ]
    )
    response = await upload(browser, "/admin/units/import/", "bad.csv", text)
    assert response.status_code == 422
    assert (
        "第 3 行" in response.text and "第 4 行" in response.text and "第 2 行" not in response.text
    )
    assert await Unit.count() == before


async def test_an_import_runs_with_a_progress_bar_and_the_export_takes_it_back(browser):
    await browser.login("district")
    rows = [
        {
            "code": "509910105000",
            "name": "进度镇",
            "name_en": "Progress Town",
            "kind": "township",
            "level": "township",
            "parent_code": QIJIANG,
        }
    ]
    rows += [
        {
            "code": f"509910105{200 + n:03d}",
            "name": f"进度{n}村",
            "name_en": "",
            "kind": "village",
            "level": "village",
            "parent_code": "509910105000",
        }
        for n in range(1, 700)
    ]
    started = await upload(browser, "/admin/units/import/", "progress.csv", to_csv(rows))
    assert started.status_code == 200 and "/admin/units/import/" in str(started.url)
    assert "<progress" in started.text
    job_url = str(started.url).replace("http://testserver.local", "")
    for _ in range(100):
        poll = await browser.get(job_url, headers=HTMX)
        assert "<html" not in poll.text
        if 'hx-trigger="every' not in poll.text:
            break
        await asyncio.sleep(0.05)
    assert "已创建 700 个单位" in poll.text
    assert await Unit.count().where(Unit.code.like("509910105%")) == 700
    # Another admin cannot watch this import: it is not theirs.
    exported = await browser.get("/admin/units/export.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "509910105899,进度699村,,village,village,509910105000,1" in exported.text
    again = await upload(
        browser, "/admin/units/import/", "again.csv", exported.text.lstrip("\ufeff")
    )
    assert again.status_code == 200  # the export imports again, changing nothing
    for _ in range(100):
        poll = await browser.get(
            str(again.url).replace("http://testserver.local", ""), headers=HTMX
        )
        if 'hx-trigger="every' not in poll.text:
            break
        await asyncio.sleep(0.05)
    assert "已创建 0 个单位" in poll.text


async def test_someone_elses_import_is_not_found(new_browser):
    admin, other = await new_browser(), await new_browser()
    await admin.login("admin")
    text = f"code,name,name_en,kind,level,parent_code\n509910106000,另镇,,township,township,{QIJIANG}\n"
    started = await upload(admin, "/admin/units/import/", "one.csv", text)
    job = str(started.url).rsplit("/", 1)[1]
    await other.login("district")
    theirs = await other.get(f"/admin/units/import/{job}")
    nobody = await other.get("/admin/units/import/nosuchjob")
    assert theirs.status_code == nobody.status_code == 404 and theirs.text == nobody.text


async def test_an_admin_creates_an_account_and_it_starts_with_a_forced_change(new_browser):
    admin, newcomer = await new_browser(), await new_browser()
    await admin.login("district")
    weak = await admin.post_form(
        "/admin/staff/",
        {
            "username": "ganshui2",
            "display_name": "新窗口",
            "password": "123",
            "unit_code": "509910101000-BM",
            "role": "window_clerk",
        },
    )
    assert weak.status_code == 422 and "至少 10 个字符" in weak.text
    foreign = await admin.post_form(
        "/admin/staff/",
        {
            "username": "daguan2",
            "display_name": "越界",
            "password": "Temp-pass-2026",
            "unit_code": "509920101000-BM",
            "role": "window_clerk",
        },
    )
    assert foreign.status_code == 404 and not await Staff.exists().where(
        Staff.username == "daguan2"
    )
    created = await admin.post_form(
        "/admin/staff/",
        {
            "username": "ganshui2",
            "display_name": "新窗口",
            "password": "Temp-pass-2026",
            "unit_code": "509910101000-BM",
            "role": "window_clerk",
        },
    )
    assert (
        created.status_code == 200 and "账号已创建" in created.text and "窗口人员" in created.text
    )
    listed = await admin.get(
        "/admin/staff/", params={"q": "ganshui2"}, headers={**HTMX, "HX-Target": "staff-rows"}
    )
    assert "新窗口" in listed.text and "<html" not in listed.text
    await newcomer.login("ganshui2", "Temp-pass-2026")
    assert "/account/password" in str((await newcomer.get("/", follow_redirects=True)).url)


async def test_an_admin_cannot_make_a_peer_admin_or_disable_someone_shared(new_browser):
    admin = await new_browser()
    await admin.login("district")
    await create_staff("grantee", "受权人", "Yunan-pass-2026", "509910101000-BM", "window_clerk")
    staff = await Staff.select(Staff.id).where(Staff.username == "grantee").first()
    peer = await admin.post_form(
        f"/admin/staff/{staff['id']}/grant", {"unit_code": QIJIANG, "role": "district_admin"}
    )
    assert peer.status_code == 403
    below = await admin.post_form(
        f"/admin/staff/{staff['id']}/grant", {"unit_code": GANSHUI, "role": "district_admin"}
    )
    assert below.status_code == 200 and "已授予角色" in below.text
    clerk2 = await Staff.select(Staff.id).where(Staff.username == "clerk2").first()
    theirs = await admin.get(f"/admin/staff/{clerk2['id']}")
    assert theirs.status_code == 404


async def test_a_token_is_shown_once_and_can_be_revoked(browser):
    await browser.login("district")
    created = await browser.post_form(
        "/admin/tokens/",
        {
            "name": "綦江税务征管系统",
            "unit_code": "509910000000-SW",
            "role": "dept_reviewer",
            "valid_days": "90",
        },
    )
    assert created.status_code == 201 and created.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token">(tb_[A-Za-z0-9_-]+)<', created.text).group(1)
    listing = await browser.get("/admin/tokens/")
    assert secret not in listing.text and secret[:10] in listing.text
    token = await ApiToken.select(ApiToken.id).where(ApiToken.prefix == secret[:10]).first()
    api = await browser.client.get("/api/v1/cases/1", headers={"authorization": f"Bearer {secret}"})
    assert api.status_code == 404  # a real principal: the case is simply not theirs
    revoked = await browser.post_form(f"/admin/tokens/{token['id']}/revoke", {})
    assert "令牌已吊销" in revoked.text
    api = await browser.client.get("/api/v1/cases/1", headers={"authorization": f"Bearer {secret}"})
    assert api.status_code == 401


async def test_the_console_speaks_english_too(browser):
    browser.client.cookies.set("lang", "en")
    await browser.login("admin")
    page = await browser.get("/admin/")
    assert (
        "Admin console" in page.text and "Your area" in page.text and "Recent changes" in page.text
    )
    levels = await browser.get("/admin/levels/")
    assert "Township" in levels.text and "Add a level" in levels.text


async def test_people_without_an_admin_role_do_not_get_in(browser):
    await browser.login("clerk")
    assert (await browser.get("/admin/")).status_code == 403
    assert (await browser.get("/admin/units/")).status_code == 403


async def test_an_account_shared_with_another_district_is_changed_only_from_above(new_browser):
    """A district admin sees a person who also works in Nanchuan, but neither disables them,
    resets their password nor grants them a role outside Qijiang; the city admin may."""
    from core.tenancy.tables import Membership

    staff_id = await create_staff(
        "shared1", "两边跑", "Yunan-pass-2026", "509910101000-BM", "window_clerk"
    )
    await Membership.insert(
        Membership(staff=staff_id, unit=await unit_id("509920101000-BM"), role="window_clerk")
    )
    before = await Staff.select(Staff.password_hash).where(Staff.id == staff_id).first()
    district = await new_browser()
    await district.login("district")
    assert (await district.get(f"/admin/staff/{staff_id}")).status_code == 200
    for action, form in [("deactivate", {}), ("password", {"password": "Other-pass-2026"})]:
        refused = await district.post_form(f"/admin/staff/{staff_id}/{action}", form)
        assert refused.status_code == 422, action
        assert "此人还在您辖区以外的单位任职" in refused.text
    foreign_grant = await district.post_form(
        f"/admin/staff/{staff_id}/grant", {"unit_code": DAGUAN, "role": "village_agent"}
    )
    assert foreign_grant.status_code == 404
    assert await Membership.count().where(Membership.staff == staff_id) == 2
    after = await Staff.select(Staff.active, Staff.password_hash).where(Staff.id == staff_id)
    assert after == [{"active": True, **before}]

    city = await new_browser()
    await city.login("admin")
    done = await city.post_form(f"/admin/staff/{staff_id}/deactivate", {})
    assert done.status_code == 200
    assert not (await Staff.select(Staff.active).where(Staff.id == staff_id).first())["active"]
