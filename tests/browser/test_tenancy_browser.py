"""In Chromium: a city admin adds a tier, imports units and creates a township clerk;
the clerk logs in, replaces the temporary password and sees only their own township."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from core.tenancy.treegen import to_csv
from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

TOWN = "509910107000"  # 东溪镇, a new township of Qijiang
CENTRE = f"{TOWN}-BM"


def township_csv() -> bytes:
    rows = [
        {
            "code": TOWN,
            "name": "东溪镇",
            "name_en": "Dongxi Town",
            "kind": "township",
            "level": "township",
            "parent_code": "509910000000",
        },
        {
            "code": CENTRE,
            "name": "东溪镇便民服务中心",
            "name_en": "Dongxi Town Service Centre",
            "kind": "service_centre",
            "level": "township",
            "parent_code": TOWN,
        },
    ]
    for n in range(1, 41):
        village = f"{TOWN[:9]}{200 + n:03d}"
        rows.append(
            {
                "code": village,
                "name": f"东溪{n}村",
                "name_en": f"Dongxi Village {n}",
                "kind": "village",
                "level": "village",
                "parent_code": TOWN,
            }
        )
        # The new tier: village groups (村民小组) under the first villages.
        if n <= 3:
            rows.append(
                {
                    "code": f"{village}-01",
                    "name": f"东溪{n}村一组",
                    "name_en": "",
                    "kind": "village",
                    "level": "villagegroup",
                    "parent_code": village,
                }
            )
    return to_csv(rows).encode("utf-8")


async def snap(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def log_in(page, username: str, password: str) -> None:
    await page.goto("/login")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("form[action='/login'] button[type=submit]")
    await page.wait_for_load_state()


async def seed_cases(live_server, *specs: str) -> dict[str, int]:
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "tests.browser.seed", *specs],
        env=live_server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return {k: int(v) for k, v in (line.split("=") for line in done.stdout.split())}


async def test_admin_adds_a_tier_imports_creates_a_clerk_who_sees_only_their_township(
    new_page, live_server
):
    admin = await new_page()
    await log_in(admin, "admin", "demo-admin")
    await admin.click("text=管理后台")
    assert await admin.locator("h1").inner_text() == "管理后台"

    # 1. A new tier below the village agency points: village groups.
    await admin.click("nav.tabs >> text=层级")
    add = admin.locator("form[action='/admin/levels/']")
    await add.locator("[name=key]").fill("villagegroup")
    await add.locator("[name=name]").fill("村民小组")
    await add.locator("[name=name_en]").fill("Village group")
    await add.locator("[name=after]").select_option("village")
    await add.locator("input[name=unit_kinds][value=village]").check()
    await add.locator("button[type=submit]").click()
    await admin.wait_for_selector("text=层级已添加")
    assert "村民小组" in await admin.locator("#level-villagegroup h2").inner_text()

    # 2. Import a township with 40 villages and three village groups; watch it finish.
    await admin.click("nav.tabs >> text=导入导出")
    await admin.set_input_files(
        "#file", {"name": "dongxi.csv", "mimeType": "text/csv", "buffer": township_csv()}
    )
    await admin.click("text=检查并导入")
    await admin.wait_for_selector("progress#import-bar")
    await admin.wait_for_selector(".import-done", timeout=30_000)
    assert "已创建 45 个单位" in await admin.locator(".import-done").inner_text()
    await snap(admin, "tenancy-import-done")

    # The tree browser shows it, opened with htmx one level at a time.
    await admin.click("nav.tabs >> text=单位")
    await admin.click("summary:has-text('渝南市')")
    await admin.click("summary:has-text('綦江区')")
    await admin.wait_for_selector("ul.tree >> text=东溪镇")
    await admin.fill("#unit-q", "东溪镇便民")
    await admin.wait_for_selector("#unit-results >> text=东溪镇便民服务中心")

    # 3. A window clerk for the new township, with a temporary password.
    await admin.click("nav.tabs >> text=工作人员")
    await admin.click("text=创建账号")
    await admin.fill("#s-username", "dongxi")
    await admin.fill("#s-name", "钱窗口（东溪镇）")
    await admin.fill("#s-password", "Spring-temp-2026")
    await admin.fill("#s-unit", CENTRE)
    await admin.select_option("#s-role", "window_clerk")
    await admin.click("form[action='/admin/staff/'] button[type=submit]")
    await admin.wait_for_selector("text=账号已创建")
    await admin.click("nav.tabs >> text=操作日志")
    log = await admin.locator("table").inner_text()
    assert "创建账号" in log and "导入单位" in log and "添加层级" in log

    # One waiting case in the new township, one in Ganshui next door.
    cases = await seed_cases(
        live_server,
        f"{TOWN[:9]}201:{CENTRE}:DONGXI0000000000001",
        "509910101201:509910101000-BM:GANSHUI000000000001",
    )

    # 4. The clerk logs in, must first choose a password of their own …
    clerk = await new_page()
    await log_in(clerk, "dongxi", "Spring-temp-2026")
    await clerk.wait_for_url("**/account/password**")
    await clerk.fill("#current", "Spring-temp-2026")
    await clerk.fill("#new", "dongxi-2026!")  # long enough, but their username
    await clerk.fill("#confirm", "dongxi-2026!")
    await clerk.click("form[action='/account/password/'] button[type=submit]")
    await clerk.wait_for_selector("[role=alert]")
    assert "不要包含您的姓名或用户名" in await clerk.locator("[role=alert]").inner_text()
    await clerk.fill("#current", "Spring-temp-2026")
    await clerk.fill("#new", "Qianmen-window-88")
    await clerk.fill("#confirm", "Qianmen-window-88")
    await clerk.click("form[action='/account/password/'] button[type=submit]")
    await clerk.wait_for_load_state()
    assert "/account/password" not in clerk.url

    # … and sees their own township's case, and nothing of Ganshui's.
    await clerk.goto("/desk/")
    desk = await clerk.locator("main").inner_text()
    assert "DONGXI0000000000001" in desk and "GANSHUI000000000001" not in desk
    await snap(clerk, "tenancy-clerk-desk")
    foreign = await clerk.goto(f"/cases/{cases['GANSHUI000000000001']}")
    foreign_text = await clerk.locator("main").inner_text()
    missing = await clerk.goto("/cases/987654321")
    assert foreign.status == missing.status == 404
    assert foreign_text == await clerk.locator("main").inner_text()
    # Filing for a resident, the address field suggests the new township's villages as the
    # clerk types (a few at a time: the page itself lists no place).
    await clerk.goto("/file/000115002000")
    assert await clerk.locator("#known-places option").count() == 0
    await clerk.locator('input[name="household_address.unit"]').fill("东溪1")
    await clerk.wait_for_selector(f'#known-places option[value="{TOWN[:9]}201"]', state="attached")
    offered = await clerk.locator("#known-places option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert 0 < len(offered) <= 20 and all(code.startswith(TOWN[:9]) for code in offered)

    refused = await clerk.goto("/admin/")
    assert refused.status == 403
    assert "管理后台" not in await clerk.locator("nav").first.inner_text()
