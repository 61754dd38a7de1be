"""The seal form of /admin/signing lists no unit: the admin types a code (with place
suggestions from /places/, like an address field) and the server checks it."""

from __future__ import annotations

import html
import json
import re

from core.signing import authority
from core.tenancy.tables import Unit
from tests.tenancy.support import scratch_township


def options(html: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', html)


async def unit_seals(code: str) -> int:
    return sum(1 for c in await authority.certificates() if c["unit.code"] == code)


async def test_the_page_lists_no_unit_yet_a_seal_is_issued_by_code(open_browser) -> None:
    codes = await scratch_township(villages=2)
    admin = await open_browser("admin")
    page = await admin.get("/admin/signing/")
    assert page.status_code == 200 and "印章与证书" in page.text
    for code in codes.values():
        assert code not in page.text
    assert "试验" not in page.text  # nor any of the new units' names
    datalist = re.search(r'<datalist id="known-places">(.*?)</datalist>', page.text, re.S)
    assert datalist is not None and options(datalist.group(1)) == []
    field = re.search(r'<input id="unit_code"[^>]*>', page.text).group(0)
    assert 'hx-get="/places/"' in field and 'hx-target="#known-places"' in field
    name = re.search(r'name="([^"]+)"', field).group(1)

    # What the admin types is what /places/ reads: the township is suggested by its code.
    suggested = await admin.get("/places/", params={name: codes["township"][:9]})
    assert codes["township"] in options(suggested.text)

    # A service centre is no place (not suggested) but gets its seal by its full code.
    assert await unit_seals(codes["centre"]) == 0
    issued = await admin.post_form("/admin/signing/units", {name: codes["centre"]})
    assert issued.status_code == 200 and "已签发新印章" in issued.text
    assert await unit_seals(codes["centre"]) == 1
    assert codes["centre"] in issued.text  # its seal is in the certificates table now
    # Full-width digits from a Chinese input method are read as the code.
    wide = codes["village1"].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    issued = await admin.post_form("/admin/signing/units", {name: f" {wide} "})
    assert issued.status_code == 200 and await unit_seals(codes["village1"]) == 1


async def test_unknown_and_deactivated_units_get_no_seal_and_a_clear_message(
    open_browser, new_browser
) -> None:
    codes = await scratch_township(villages=1)
    await Unit.update({Unit.active: False}).where(Unit.code == codes["village1"])
    admin = await open_browser("admin")
    page = await admin.get("/admin/signing/")
    name = re.search(r'<input id="unit_code"[^>]*name="([^"]+)"', page.text).group(1)
    before = len(await authority.certificates())

    unknown = await admin.post_form("/admin/signing/units", {name: "509910999999"})
    assert unknown.status_code == 404
    assert "没有代码为“509910999999”的单位" in unknown.text
    field = re.search(r'<input id="unit_code"[^>]*>', unknown.text).group(0)
    assert 'value="509910999999"' in field  # the page again, with what was typed, to correct

    closed = await admin.post_form("/admin/signing/units", {name: codes["village1"]})
    assert closed.status_code == 409
    assert f"“试验{codes['township'][6:9]}镇1村 ({codes['village1']})”已停用。" in closed.text

    empty = await admin.post_form("/admin/signing/units", {name: "  "})
    assert empty.status_code == 422 and "请输入单位代码" in empty.text
    too_long = await admin.post_form("/admin/signing/units", {name: "5" * 40})
    assert too_long.status_code == 404

    assert len(await authority.certificates()) == before  # nothing was issued
    assert await unit_seals(codes["village1"]) == 0

    # In English for an admin reading English.
    english = await new_browser()
    english.client.cookies.set("lang", "en")
    await english.login("admin")
    refused = await english.post_form("/admin/signing/units", {name: "509910999999"})
    assert refused.status_code == 404
    assert "No unit has the code “509910999999”" in refused.text


async def test_the_seal_input_is_offered_service_centres_and_departments(open_browser) -> None:
    codes = await scratch_township(villages=1)
    town, centre, department = codes["township"], codes["centre"], "509910000000-SB"
    admin = await open_browser("admin")
    page = await admin.get("/admin/signing/")
    field = re.search(r'<input id="unit_code"[^>]*>', page.text).group(0)
    assert (
        "输入单位名称或代码的一部分" in page.text
        and "请输入单位树中显示的完整代码" not in page.text
    )
    # What the page's input sends as the admin types: its own value and its hx-vals.
    name = re.search(r'name="([^"]+)"', field).group(1)
    extra = json.loads(html.unescape(re.search(r"hx-vals='([^']*)'", field).group(1)))

    async def offered(text: str, **params: str) -> dict[str, str]:
        answer = await admin.get("/places/", params={name: text, **params})
        assert answer.status_code == 200
        return dict(re.findall(r'<option value="([^"]*)">([^<]*)</option>', answer.text))

    # By code prefix: the township and its service centre, each shown with name and code.
    by_code = await offered(town, **extra)
    assert by_code == {
        town: f"试验{town[6:9]}镇 · {town}",
        centre: f"试验{town[6:9]}镇便民服务中心 · {centre}",
    }
    # By name: the service centre, and a district's department.
    assert list(await offered(f"试验{town[6:9]}镇便民", **extra)) == [centre]
    by_name = await offered("綦江区社会保险", **extra)
    assert by_name == {department: f"綦江区社会保险事务中心 · {department}"}
    assert department in await offered("509910000000-", **extra)

    # An address field sends the same text without them: places only.
    for text in (town, f"试验{town[6:9]}镇便民", "綦江区社会保险", "509910000000-"):
        places = await offered(text)
        assert centre not in places and department not in places
    assert list(await offered(town)) == [town]
