"""What staff see of signing and the e-licence library around a case: the city admin's way
to the site CA, the case page's links to its signed documents and to the applicant's
e-licences, and the buttons that attach one in place of a material."""

from __future__ import annotations

import re

import pytest

from core.licences.tables import Licence, LicenceUse
from core.signing.tables import Document

from .flows import act, file_case, new_id_number, settle
from .licence_plugins import PERMIT_ITEM, TRADE_ITEM


@pytest.fixture(scope="module")
async def holder(app, jobs, licence_items, open_browser) -> dict:
    """孙家 holds a permit (an e-licence); then applies for the trade item that accepts it."""
    agent = await open_browser("agent")
    id_number = new_id_number()
    permit = await file_case(agent, PERMIT_ITEM, "孙家", id_number, {"shop_name": "孙家小卖部"})
    await act("clerk", permit["id"], "accept")
    await act("clerk", permit["id"], "approve")
    await settle(jobs)
    trade = await file_case(agent, TRADE_ITEM, "孙家", id_number, {"shop_name": "孙家小卖部"})
    stranger = await file_case(agent, TRADE_ITEM, "李家", new_id_number(), {"shop_name": "李"})
    licence = await Licence.select().where(Licence.case == permit["id"]).first()
    return {"permit": permit, "trade": trade, "stranger": stranger, "licence": licence}


def nav(html: str) -> str:
    return re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', html, re.S).group(1)


async def test_the_city_admin_finds_the_site_ca_in_the_navigation(open_browser) -> None:
    admin, clerk = await open_browser("admin"), await open_browser("clerk")
    home = await admin.get("/admin/")
    assert '<a href="/admin/signing/">印章与证书</a>' in nav(home.text)
    page = await admin.get("/admin/signing/")
    assert page.status_code == 200 and "根证书" in page.text
    assert "/admin/signing/" not in nav((await clerk.get("/workbench/")).text)


async def test_the_case_page_links_to_its_signed_documents(holder, open_browser) -> None:
    clerk = await open_browser("clerk")
    case_page = await clerk.get(f"/cases/{holder['permit']['id']}")
    assert f'href="/documents/case/{holder["permit"]["id"]}"' in case_page.text
    page = await clerk.get(f"/documents/case/{holder['permit']['id']}")
    assert page.status_code == 200 and "<html" in page.text  # a page of its own
    assert holder["permit"]["tracking_code"] in page.text
    rows = re.findall(r'<td class="code">([0-9A-Z-]+)</td>', page.text)
    assert len(rows) == 3  # receipt, decision, e-licence
    assert re.search(r'href="/documents/\d+/pdf"', page.text)
    fragment = await clerk.get(
        f"/documents/case/{holder['permit']['id']}", headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and 'id="case-documents"' in fragment.text
    outsider = await open_browser("clerk2")
    assert (await outsider.get(f"/documents/case/{holder['permit']['id']}")).status_code == 404


async def test_attaching_an_e_licence_from_the_case_page(holder, open_browser) -> None:
    agent = await open_browser("agent")
    trade_id, licence = holder["trade"]["id"], holder["licence"]
    case_page = await agent.get(f"/cases/{trade_id}")
    assert f'href="/licences/case/{trade_id}"' in case_page.text
    panel = await agent.get(f"/licences/case/{trade_id}")
    assert panel.status_code == 200
    assert licence["licence_number"] in panel.text and "附上此电子证照" in panel.text
    done = await agent.post_form(
        f"/licences/case/{trade_id}/permit", {"licence_id": str(licence["id"])}
    )
    assert done.status_code == 200 and 'id="licence-attached"' in done.text
    assert licence["licence_number"] in done.text
    use = await LicenceUse.select().where(LicenceUse.case == trade_id).first()
    assert use["licence"] == licence["id"] and use["verified_status"] == "valid"
    assert "附上此电子证照" not in done.text  # attached: no button for the same licence


async def test_a_wrong_licence_is_refused_with_a_message_and_nothing_attached(
    holder, open_browser
) -> None:
    agent = await open_browser("agent")
    stranger_id = holder["stranger"]["id"]
    panel = await agent.get(f"/licences/case/{stranger_id}")
    assert "申请人没有此类有效的电子证照" in panel.text and "附上此电子证照" not in panel.text
    refused = await agent.post_form(
        f"/licences/case/{stranger_id}/permit", {"licence_id": str(holder["licence"]["id"])}
    )
    assert refused.status_code == 404 and 'id="licence-error"' in refused.text
    garbage = await agent.post_form(f"/licences/case/{stranger_id}/permit", {"licence_id": "x"})
    assert garbage.status_code == 404 and 'id="licence-error"' in garbage.text
    assert not await LicenceUse.exists().where(LicenceUse.case == stranger_id)
    other = await open_browser("clerk2")  # another township
    assert (await other.get(f"/licences/case/{stranger_id}")).status_code == 404


DOCUMENT_TITLES = {  # kind as an English reader is told it, and the document's own title
    "Acceptance notice": "受理通知书",
    "Decision notice": "办理决定书",
    "E-licence": "测试经营许可证",
}


def shown_title(english: str, chinese: str) -> str:
    return f'{english} <span class="muted" lang="zh-CN">{chinese}</span>'


@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_each_signed_document_is_named_for_the_reader(holder, open_browser, locale) -> None:
    """The documents are official Chinese documents; an English reader is also told what
    each one is (on the case's list, the agent's case page and the verification page)."""
    clerk, agent, visitor = (
        await open_browser("clerk"),
        await open_browser("agent"),
        await open_browser(),
    )
    case_id = holder["permit"]["id"]
    try:
        for reader in (clerk, agent, visitor):
            reader.client.cookies.set("lang", locale)
        listed = (await clerk.get(f"/documents/case/{case_id}")).text
        filed = (await agent.get(f"/workbench/cases/{case_id}")).text
        for english, chinese in DOCUMENT_TITLES.items():
            for html in (listed, filed):
                if locale == "en":
                    assert shown_title(english, chinese) in html
                else:
                    assert chinese in html and english not in html
        licence = (
            await Document.select(Document.verification_code)
            .where((Document.case == case_id) & (Document.kind == "licence"))
            .first()
        )
        verified = (
            await visitor.get("/verify/", params={"code": licence["verification_code"]})
        ).text
        label = "Document" if locale == "en" else "文件"
        document = re.search(rf"<dt>{label}</dt><dd>(.*?)</dd>", verified).group(1)
        assert document == (
            shown_title("E-licence", "测试经营许可证") if locale == "en" else "测试经营许可证"
        ), document
    finally:
        for reader in (clerk, agent, visitor):
            reader.client.cookies.delete("lang")
