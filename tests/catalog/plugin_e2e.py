"""Run in a fresh process by test_plugin_package.py: a plugin installed with pip, unknown
to the core, is discovered through its entry point and used through the real pages.

    python -m tests.catalog.plugin_e2e PLUGIN_NAME ITEM_CODE

Prints "OK" at the end; any failed expectation raises (non-zero exit).
"""

from __future__ import annotations

import asyncio
import io
import re
import sys

import httpx


def pdf_bytes() -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "land contract")
    page.save()
    return buffer.getvalue()


def errors_in(html: str) -> list[str]:
    return re.findall(r'class="(?:error|alert)"[^>]*>([^<]*)<', html)


RESIDENT = {
    "applicant.name": "王五",
    "applicant.id_number": "11010519491231002X",
    "applicant.phone": "13800138000",
}


async def main(plugin: str, code: str) -> None:
    from core.bootstrap import prepare
    from core.settings import get_settings
    from core.web.app import create_app
    from tests.helpers import Browser, authorise, tracking_code_in

    await prepare(get_settings())  # migrates the plugin's own table too
    app = create_app()
    for hook in app.on_startup:
        await hook()

    def client() -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url="http://testserver.local")

    async with client() as c1, client() as c2, client() as c3, client() as c4:
        agent, clerk, admin, public = Browser(c1), Browser(c2), Browser(c3), Browser(c4)
        await agent.login("agent")

        # The item is in the catalogue, the filing list and the public guide (pinyin search).
        listing = await agent.get("/file/")
        assert "家庭农场名录登记" in listing.text, listing.text
        guide = await public.get("/guide/", params={"q": "jtnc"})
        assert f"/guide/{code}" in guide.text
        page = await agent.get(f"/file/{code}")
        assert page.status_code == 200 and 'name="operator_name"' in page.text

        # Its form validation runs: the schema's, then the plugin's own rule.
        bad = await agent.post_form(
            f"/file/{code}",
            {
                **RESIDENT,
                "operator_name": "王五",
                "operator_type": "cooperative",
                "uscc": "123",
                "farm_address.unit": "509910101201",
                "plots[0].location": "河坝",
                "plots[0].area": "3",
            },
        )
        assert bad.status_code == 422, bad.status_code
        assert "请输入有效的 18 位统一社会信用代码" in bad.text
        assert "此项为必填项" in bad.text  # the land contract upload is missing

        upload = await agent.client.post(
            f"/forms/{code}/upload",
            data={"_field": "land_contract"},
            files={"file": ("合同.pdf", pdf_bytes(), "application/pdf")},
            headers={"x-csrftoken": agent.csrf, "hx-request": "true"},
        )
        assert upload.status_code == 200, upload.text
        token = re.search(r'name="land_contract" value="([^"]+)"', upload.text)
        assert token, upload.text
        good = {
            **RESIDENT,
            "operator_name": "王五",
            "operator_type": "individual",
            "farm_address.unit": "509910101201",
            "plots[0].location": "河坝",
            "plots[0].area": "300",
            "plots[1].location": "坡上",
            "plots[1].area": "250",
            "land_contract": token.group(1),
        }
        too_big = await agent.post_form(f"/file/{code}", good)
        assert too_big.status_code == 422
        assert (
            "经营面积超过 500 亩的家庭农场须到市级登记" in too_big.text
        )  # plugin's rule, in Chinese

        # A proxy filing needs the resident's recorded authorisation (代办授权).
        await authorise(agent, RESIDENT["applicant.name"], RESIDENT["applicant.id_number"], code)
        filed = await agent.post_form(f"/file/{code}", {**good, "plots[1].area": "2.5"})
        assert filed.status_code == 200, errors_in(filed.text)
        tracking = tracking_code_in(filed.text)
        case_id = int(str(filed.url).split("/cases/")[1].split("?")[0])

        # The plugin's pages and static files, under its own prefix.
        own = await public.get(f"/p/{plugin}/")
        assert own.status_code == 200 and "已办结" in own.text
        css = await public.get(f"/p/{plugin}/static/{plugin}.css")
        assert css.status_code == 200 and f".{plugin}" in css.text

        # The city admin switches the plugin off for the district: hidden, refused,
        # while the case already filed stays readable and can be handled.
        await admin.login("admin")
        off = await admin.post_form(
            "/admin/catalog/plugins",
            {"plugin": plugin, "unit": "509910000000", "enabled": "0", "reason": "试点结束"},
        )
        assert off.status_code == 200
        assert code not in (await agent.get("/file/")).text
        refused = await agent.post_form(f"/file/{code}", good)
        assert refused.status_code == 422 and "已停用" in refused.text, refused.text[:500]
        assert tracking in (await agent.get(f"/cases/{case_id}")).text
        await clerk.login("clerk")
        accepted = await clerk.post_form(f"/cases/{case_id}/act", {"action": "accept"})
        assert accepted.status_code == 200, accepted.text[:500]
        assert "审核中" in accepted.text or "已受理" in accepted.text
        await admin.post_form(
            "/admin/catalog/plugins", {"plugin": plugin, "unit": "509910000000", "enabled": "1"}
        )
    for hook in app.on_shutdown:
        await hook()
    print("OK")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
