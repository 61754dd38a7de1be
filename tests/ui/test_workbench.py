"""The village agent's workbench: find or register a resident, record consent, file, receipt."""

from __future__ import annotations

import re

from core.i18n import gettext
from core.materials import storage
from core.materials.tables import Upload
from core.residents.tables import ResidentAccess
from tests.ui import flows, media
from tests.ui.conftest import speaking


async def test_an_agent_registers_finds_and_files_for_a_resident_with_a_photo(people):
    agent = await people("agent")
    home = await agent.get("/workbench/")
    assert "查找群众" in home.text and "待送达的结果" in home.text

    id_number, phone = flows.new_id_number("19620305"), flows.new_phone()
    resident_id = await flows.register(agent, "王小明", id_number, phone)
    page = await agent.get(f"/workbench/residents/{resident_id}?registered=1")
    assert "已完成登记" in page.text
    assert id_number not in page.text and phone not in page.text, "numbers must be masked"
    assert id_number[:3] + "*" * 11 + id_number[-4:] in page.text

    # Found again three ways; always masked.
    for by, query in (
        ("id", {"id_number": id_number}),
        ("name", {"name": "王小明", "birth_date": "1962-03-05"}),
        ("phone", {"phone": phone}),
    ):
        found = await flows.post(
            agent, "/workbench/residents/search", {"by": by, **query}, htmx=True
        )
        assert f"/workbench/residents/{resident_id}" in found.text, (by, found.text)
        assert id_number not in found.text and phone not in found.text
    by_phone = await flows.post(
        agent, "/workbench/residents/search", {"by": "phone", "phone": phone}, htmx=True
    )
    assert "王*" in by_phone.text and "王小明" not in by_phone.text  # the name was not typed

    # Items by pinyin initials.
    items = await agent.get(
        f"/workbench/residents/{resident_id}",
        params={"q": "cxjm"},
        headers={"HX-Request": "true", "HX-Target": "item-list"},
    )
    assert "城乡居民基本养老保险参保登记" in items.text and "<html" not in items.text

    await flows.consent(agent, resident_id)
    form = await agent.get(f"/workbench/residents/{resident_id}/file/{flows.PENSION}/")
    assert (
        "提交前请确认" in form.text and "无需到现场" in form.text and 'id="fee-quote"' in form.text
    )
    fees = await flows.post(agent, f"/fees/{flows.PENSION}", flows.PENSION_FORM, htmx=True)
    assert "不收费" in fees.text  # the fee box, recomputed as the form is filled in
    assert 'name="upload.id_card"' in form.text and 'capture="environment"' in form.text

    photo = await flows.upload(agent, "upload.id_card", "IMG_2041.JPG", media.jpeg(), "image/jpeg")
    assert photo.status_code == 200 and "/thumb" in photo.text
    upload = flows.upload_id(photo.text)
    thumb = await agent.get(f"/materials/{upload}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"

    case_id, code = await flows.file_pension(agent, resident_id, {"id_card": [upload]})
    receipt = await agent.get(f"/workbench/cases/{case_id}/receipt")
    assert code in receipt.text and "递交回执" in receipt.text
    assert "居民身份证或户口簿" in receipt.text and id_number not in receipt.text
    case = await agent.get(f"/workbench/cases/{case_id}")
    assert f"/materials/{upload}/thumb" in case.text and "三组12号" in case.text
    mine = await agent.get("/workbench/cases", params={"state": "submitted"})
    assert code in mine.text

    # The township's clerk who will accept it may see the photo; another township's may not.
    clerk, stranger = await people("clerk"), await people("clerk2")
    assert (await clerk.get(f"/materials/{upload}")).status_code == 200
    assert (await stranger.get(f"/materials/{upload}")).status_code == 404
    assert (await stranger.get(f"/workbench/cases/{case_id}")).status_code == 404


async def test_filing_without_the_residents_authorisation_is_refused_and_nothing_is_lost(
    people,
):
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "李四", flows.new_id_number("19751203"), flows.new_phone()
    )
    photo = await flows.upload(agent, "upload.id_card", "id.png", media.png(), "image/png")
    upload = flows.upload_id(photo.text)
    response = await flows.post(
        agent,
        f"/workbench/residents/{resident_id}/file/{flows.PENSION}/",
        [*{**flows.PENSION_FORM, "remark": "请尽快"}.items(), ("_material.id_card", upload)],
    )
    assert response.status_code == 422
    assert "尚未记录" in response.text or "授权" in response.text
    assert "请尽快" in response.text, "what was typed is kept"
    assert f'value="{upload}"' in response.text, "the photo is kept"


async def test_refused_uploads_say_why_at_their_slot(people):
    agent = await people("agent")
    page = await flows.upload(agent, "upload.id_card", "photo.jpg", media.HTML, "image/jpeg")
    assert page.headers.get("HX-Retarget") == "#err-upload-id_card"
    assert gettext("zh_CN", storage.BAD_TYPE) in page.text
    assert "只接受照片" in page.text
    traversal = await flows.upload(
        agent, "upload.id_card", "../../x.jpg", media.jpeg(), "image/jpeg"
    )
    assert gettext("zh_CN", storage.BAD_NAME) in traversal.text
    assert "文件名" in traversal.text
    with speaking(agent, "en"):
        english = await flows.upload(
            agent, "upload.id_card", "form.pdf", media.pdf(javascript=True), "application/pdf"
        )
    assert "This PDF contains scripts" in english.text


async def test_a_clerk_reveals_a_full_number_and_the_view_is_logged(people):
    agent, clerk = await people("agent"), await people("clerk")
    id_number, phone = flows.new_id_number("19900615"), flows.new_phone()
    resident_id = await flows.register(agent, "赵六", id_number, phone)
    await flows.consent(agent, resident_id)
    await flows.file_pension(agent, resident_id, {})

    # The agent needs the phone (to call), not the ID number.
    denied = await flows.post(
        agent, f"/residents/{resident_id}/reveal", {"field": "id_number"}, htmx=True
    )
    assert denied.status_code == 403 and id_number not in denied.text
    shown = await flows.post(
        agent, f"/residents/{resident_id}/reveal", {"field": "phone"}, htmx=True
    )
    assert phone in shown.text

    before = await ResidentAccess.count().where(ResidentAccess.resident == resident_id)
    revealed = await flows.post(
        clerk, f"/residents/{resident_id}/reveal", {"field": "id_number"}, htmx=True
    )
    assert revealed.status_code == 200 and id_number in revealed.text
    assert revealed.headers["cache-control"] == "no-store"
    log = await ResidentAccess.select().where(ResidentAccess.resident == resident_id)
    assert len(log) == before + 1
    assert log[-1]["field"] == "id_number" and log[-1]["role"] == "window_clerk"

    stranger = await people("clerk2")
    hidden = await flows.post(
        stranger, f"/residents/{resident_id}/reveal", {"field": "id_number"}, htmx=True
    )
    assert hidden.status_code == 404 and id_number not in hidden.text


async def test_name_and_phone_searches_stay_inside_the_searchers_part_of_the_tree(people):
    agent, far_clerk = await people("agent"), await people("clerk2")
    id_number, phone = flows.new_id_number("19491231", region="110105"), flows.new_phone()
    resident_id = await flows.register(agent, "钱七", id_number, phone)
    # clerk2 works at 大观镇, in another district.
    by_phone = await flows.post(
        far_clerk, "/workbench/residents/search", {"by": "phone", "phone": phone}, htmx=True
    )
    assert f"/workbench/residents/{resident_id}" not in by_phone.text
    assert "没有找到" in by_phone.text
    # With the card in hand (the full ID number) the resident is found anywhere.
    by_id = await flows.post(
        far_clerk, "/workbench/residents/search", {"by": "id", "id_number": id_number}, htmx=True
    )
    assert f"/workbench/residents/{resident_id}" in by_id.text
    assert (await far_clerk.get(f"/workbench/residents/{resident_id}")).status_code == 200


async def test_registering_a_known_id_number_leads_to_that_resident(people):
    agent = await people("agent")
    id_number = flows.new_id_number("19800101")
    first = await flows.register(agent, "孙八", id_number, flows.new_phone())
    again = await flows.post(
        agent,
        "/workbench/residents/new",
        {"name": "孙八", "id_number": id_number, "phone": flows.new_phone()},
    )
    assert re.search(rf"/workbench/residents/{first}\b", str(again.url))
    assert "此身份证号已登记" in again.text


async def test_a_photo_sent_by_the_page_and_again_with_the_form_is_kept_once(people):
    """With JavaScript the photo goes up at once; the plain form post carries it again."""
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "蒋十三", flows.new_id_number("19751203"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    photo = media.jpeg()
    first = flows.upload_id(
        (await flows.upload(agent, "upload.id_card", "a.jpg", photo, "image/jpeg")).text
    )
    response = await flows.multipart(
        agent,
        f"/workbench/residents/{resident_id}/file/{flows.PENSION}/",
        {**flows.PENSION_FORM, "_material.id_card": first},
        {"upload.id_card": ("a.jpg", photo, "image/jpeg")},
    )
    assert response.status_code == 200 and "/receipt" in str(response.url), response.text[:2000]
    case_id = int(str(response.url).split("/cases/")[1].split("/")[0])
    rows = await Upload.select(Upload.public_id).where(Upload.case == case_id)
    assert [r["public_id"] for r in rows] == [first]


async def test_without_javascript_the_photo_travels_with_the_form(people):
    agent = await people("agent")
    resident_id = await flows.register(
        agent, "沈十四", flows.new_id_number("19620305"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    response = await flows.multipart(
        agent,
        f"/workbench/residents/{resident_id}/file/{flows.PENSION}/",
        dict(flows.PENSION_FORM),
        {"upload.id_card": ("scan.pdf", media.pdf(), "application/pdf")},
    )
    assert response.status_code == 200 and "/receipt" in str(response.url)
    case_id = int(str(response.url).split("/cases/")[1].split("/")[0])
    rows = await Upload.select(Upload.material_code, Upload.content_type).where(
        Upload.case == case_id
    )
    assert rows == [{"material_code": "id_card", "content_type": "application/pdf"}]


async def test_a_wrong_photo_is_removed_before_filing_but_not_after(people):
    agent, other = await people("agent"), await people("clerk")
    wrong = flows.upload_id(
        (
            await flows.upload(agent, "upload.id_card", "blurred.jpg", media.jpeg(), "image/jpeg")
        ).text
    )
    assert (await flows.post(other, f"/materials/{wrong}/remove", {}, htmx=True)).status_code == 404
    removed = await flows.post(agent, f"/materials/{wrong}/remove", {}, htmx=True)
    assert removed.status_code == 200
    assert (await agent.get(f"/materials/{wrong}")).status_code == 404

    resident_id = await flows.register(
        agent, "秦十八", flows.new_id_number("19800101"), flows.new_phone()
    )
    await flows.consent(agent, resident_id)
    kept = flows.upload_id(
        (await flows.upload(agent, "upload.id_card", "id.jpg", media.jpeg(), "image/jpeg")).text
    )
    # A removed upload cannot be slipped into a filing; the kept one is attached.
    case_id, _ = await flows.file_pension(agent, resident_id, {"id_card": [wrong, kept]})
    rows = await Upload.select(Upload.public_id).where(Upload.case == case_id)
    assert [r["public_id"] for r in rows] == [kept]
    filed = await flows.post(agent, f"/materials/{kept}/remove", {}, htmx=True)
    assert filed.status_code == 403 and (await agent.get(f"/materials/{kept}")).status_code == 200
