"""Every document a case produces is signed, stored once, and verifies — online and with openssl.

One module-wide set of cases covers the four notices and the e-licence:
accepted then approved (receipt, decision, licence), refused, asked for a
supplement, and accepted then denied.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from core.signing import qr
from core.signing.tables import Document
from core.signing.verification import verify_code, verify_file, verify_qr
from core.signing.verify import verify_pdf

from .flows import act, documents_of, file_case, new_id_number, settle
from .licence_plugins import PERMIT_ITEM
from .signing_support import flip, run_openssl


@dataclass(frozen=True)
class Cases:
    approved: int
    refused: int
    supplement: int
    denied: int
    holder: str


@pytest.fixture(scope="module")
async def cases(app, jobs, licence_items, open_browser) -> Cases:
    agent = await open_browser("agent")
    made = {}
    for name in ("approved", "refused", "supplement", "denied"):
        case = await file_case(
            agent, PERMIT_ITEM, "赵六", new_id_number(), {"shop_name": f"{name}小卖部"}
        )
        made[name] = case["id"]
    await act("clerk", made["approved"], "accept")
    await act("clerk", made["approved"], "approve", opinion="符合条件")
    await act("clerk", made["refused"], "refuse", reason="不属于本机关职权范围")
    await act(
        "clerk",
        made["supplement"],
        "request_supplement",
        reason="请补齐材料",
        materials=[{"code": "id_card", "problem": "defective", "note": "复印件不清晰"}],
    )
    await act("clerk", made["denied"], "accept")
    await act("clerk", made["denied"], "deny", reason="经营场所不符合要求")
    await settle(jobs)
    return Cases(**made, holder="赵六")


def _text(pdf: bytes) -> str:
    """The text a reader shows (reportlab writes CJK as hex glyph ids, so compare titles)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    return str(reader.trailer["/Info"]["/Title"])


async def test_each_event_produced_its_document_once(cases: Cases) -> None:
    approved = await documents_of(cases.approved)
    assert set(approved) == {"receipt", "decision", "licence"}
    assert _text(bytes(approved["receipt"]["pdf"])) == "受理通知书"
    assert _text(bytes(approved["decision"]["pdf"])) == "办理决定书"
    assert _text(bytes(approved["licence"]["pdf"])) == "测试经营许可证"  # the plugin's layout
    assert set(await documents_of(cases.refused)) == {"refusal"}
    assert set(await documents_of(cases.supplement)) == {"supplement"}
    denied = await documents_of(cases.denied)
    assert set(denied) == {"receipt", "decision"}
    assert ("决定结果", "不予批准") in [tuple(r) for r in denied["decision"]["rows"]]
    assert ("不予受理理由", "不属于本机关职权范围") in [
        tuple(r) for r in (await documents_of(cases.refused))["refusal"]["rows"]
    ]


async def test_supplement_notice_lists_the_materials_from_the_event(cases: Cases) -> None:
    notice = (await documents_of(cases.supplement))["supplement"]
    rows = dict(tuple(r) for r in notice["rows"])
    assert rows["补正材料 1"] == "居民身份证（不符合要求；复印件不清晰）"
    assert rows["申请人"] == cases.holder
    assert "*" in rows["公民身份号码"]  # masked, never the full number


async def test_replaying_the_events_issues_nothing_new(cases: Cases, jobs) -> None:
    from core.cases.tables import Case, CaseEvent
    from core.licences.issuing import issue_licences
    from core.signing.notices import issue_notices

    before = await Document.count()
    case = await Case.select().where(Case.id == cases.approved).first()
    last = (
        await CaseEvent.select()
        .where((CaseEvent.case == case["id"]) & (CaseEvent.seq == case["event_count"]))
        .first()
    )
    assert await issue_notices(case, last) == []
    assert await issue_licences(case, last) == []
    assert await Document.count() == before


@pytest.mark.parametrize("kind", ["receipt", "decision", "licence"])
async def test_every_kind_verifies_by_code_and_as_a_file(cases: Cases, site_root, kind) -> None:
    doc = (await documents_of(cases.approved))[kind]
    by_code = await verify_code(doc["verification_code"])
    assert by_code.result.status == "valid", by_code.result
    assert by_code.result.unit == "赶水镇便民服务中心"
    assert by_code.document["case.tracking_code"]
    pdf = bytes(doc["pdf"])
    assert verify_pdf(pdf, site_root).status == "valid"
    as_file = await verify_file(pdf)
    assert as_file.result.ok and as_file.document["id"] == doc["id"]


@pytest.mark.parametrize("kind", ["refusal", "supplement"])
async def test_refusal_and_supplement_notices_verify(cases: Cases, kind) -> None:
    case_id = cases.refused if kind == "refusal" else cases.supplement
    doc = (await documents_of(case_id))[kind]
    assert (await verify_code(doc["verification_code"])).result.status == "valid"


async def test_one_flipped_byte_in_an_uploaded_pdf_is_altered(cases: Cases) -> None:
    pdf = bytes((await documents_of(cases.approved))["licence"]["pdf"])
    result = (await verify_file(flip(pdf, len(pdf) // 3))).result
    assert result.status == "altered"
    assert result.reason in ("Document was altered after signing", "Signature is invalid")


async def test_one_flipped_byte_in_the_stored_pdf_is_altered(cases: Cases) -> None:
    doc = (await documents_of(cases.denied))["decision"]
    original = bytes(doc["pdf"])
    await Document.update({Document.pdf: flip(original, len(original) // 2)}).where(
        Document.id == doc["id"]
    )
    try:
        outcome = await verify_code(doc["verification_code"])
        assert outcome.result.status == "altered"
    finally:
        await Document.update({Document.pdf: original}).where(Document.id == doc["id"])
    assert (await verify_code(doc["verification_code"])).result.ok


async def test_qr_payload_proves_the_printed_rows(cases: Cases) -> None:
    doc = (await documents_of(cases.approved))["licence"]
    rows = [tuple(r) for r in doc["rows"]]
    genuine = await verify_qr(doc["qr_payload"], rows)
    assert genuine.result.status == "valid" and genuine.result.data_matches is True
    # The printed shop name was changed on the paper.
    forged_rows = [(k, "别人的店" if k == "店铺名称" else v) for k, v in rows]
    forged = await verify_qr(doc["qr_payload"], forged_rows)
    assert forged.result.status == "altered"
    assert forged.result.reason == "Printed data does not match the signed data"
    # One character of the payload itself changed (its signature part).
    payload = doc["qr_payload"]
    tampered = payload[:-3] + ("A" if payload[-3] != "A" else "B") + payload[-2:]
    bad = await verify_qr(tampered, rows)
    assert bad.result.status == "altered" and bad.result.reason == "QR signature is invalid"
    assert qr.parse_qr_payload(payload).code == doc["verification_code"]


async def test_openssl_verifies_a_stored_documents_detached_signature(
    cases: Cases, site_root: bytes, openssl: str, tmp_path: Path
) -> None:
    doc = (await documents_of(cases.approved))["decision"]
    (tmp_path / "doc.pdf").write_bytes(bytes(doc["pdf"]))
    (tmp_path / "doc.p7s").write_bytes(bytes(doc["signature"]))
    (tmp_path / "root.pem").write_bytes(site_root)
    args = ["cms", "-verify", "-binary", "-inform", "DER", "-in", tmp_path / "doc.p7s"]
    args += ["-CAfile", tmp_path / "root.pem", "-out", tmp_path / "out.bin"]
    done = run_openssl(openssl, *args, "-content", tmp_path / "doc.pdf")
    assert done.returncode == 0, done.stderr
    assert "Verification successful" in done.stderr
    (tmp_path / "doc.pdf").write_bytes(flip(bytes(doc["pdf"]), 100))
    refused = run_openssl(openssl, *args, "-content", tmp_path / "doc.pdf")
    assert refused.returncode != 0


async def test_stored_hash_matches_the_pdf(cases: Cases) -> None:
    for doc in (await documents_of(cases.approved)).values():
        assert hashlib.sha256(bytes(doc["pdf"])).hexdigest() == doc["pdf_sha256"]


async def test_an_approver_with_a_personal_certificate_signs_the_decision_too(
    app, jobs, licence_items, open_browser, site_root
) -> None:
    from core.signing import authority

    from .flows import principal, unit_id

    clerk = await principal("clerk")
    person = await authority.issue_person_certificate(
        clerk.staff_id, await unit_id("509910101000-BM")
    )
    try:
        agent = await open_browser("agent")
        case = await file_case(agent, PERMIT_ITEM, "韩十三", new_id_number(), {"shop_name": "韩记"})
        await act("clerk", case["id"], "accept")
        await act("clerk", case["id"], "approve")
        await settle(jobs)
    finally:
        await authority.retire(person["serial"])  # later decisions: the seal only
    docs = await documents_of(case["id"])
    decision, receipt = docs["decision"], docs["receipt"]
    assert decision["person_serial"] == person["serial"] and receipt["person_serial"] == ""
    reader = PdfFileReader(io.BytesIO(bytes(decision["pdf"])))
    assert len(reader.embedded_signatures) == 2  # the unit's seal, then the approver
    # Both verify, and go on verifying after the approver's certificate is retired.
    outcome = await verify_code(decision["verification_code"])
    assert outcome.result.status == "valid" and outcome.result.unit == "赶水镇便民服务中心"
    assert verify_pdf(bytes(decision["pdf"]), site_root).status == "valid"
