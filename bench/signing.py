"""Signing and verification throughput, against raw `cryptography` on the same bytes.

    .venv/bin/python bench/signing.py [--seconds 1.5]

Every figure is measured in this one process, one after the other, on the
same document: a ~40 KB receipt PDF as Tongban renders it.  The baseline
is what no signature format can beat — one ECDSA P-256 / SHA-256 sign (or
verify) of those bytes with an already-loaded key — and each Tongban
operation is printed with its ratio to it, so the overhead of the formats
(CMS, PAdES, QR payload), of decrypting the stored key on every use, of
certificate-path and CRL checks, and of PDF rendering is visible at once.
No database is involved: these are the library costs a worker pays per
document.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402

from core.signing import ca, cms, pdf, qr  # noqa: E402
from core.signing.verify import verify_detached, verify_pdf  # noqa: E402

ROOT_PASS = "bench root passphrase"
KEK = "bench key-encryption passphrase"
SITE = "示例市通办"
UNIT = "示例镇便民服务中心"
ROWS = [
    ("办件编码", "500222261123000017"),
    ("申请人", "张三"),
    ("公民身份号码", "500***********1013"),
    ("办理事项", "城乡居民基本养老保险参保登记"),
    ("受理单位", UNIT),
    ("承诺办结时限", "5 个工作日"),
]
CODE = "ABCD-EFGH-JKLM-NPQ5"


def rate(fn: Callable[[], object], seconds: float) -> tuple[float, int]:
    """Calls per second of ``fn`` over at least ``seconds`` (after one warm-up call)."""
    fn()
    count, start = 0, time.perf_counter()
    while True:
        fn()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per measurement")
    args = parser.parse_args()

    root = ca.create_root_ca(SITE, ROOT_PASS)
    issuing = ca.create_issuing_ca(root, ROOT_PASS, KEK, site_name=SITE)
    unit = ca.issue_unit_cert(issuing, KEK, KEK, site_name=SITE, unit_name=UNIT, unit_code="B1")
    key = ca.load_private_key(unit.key_pem, KEK)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    public = key.public_key()

    def render() -> bytes:
        payload = qr.make_qr_payload(CODE, ROWS, unit, KEK)
        return pdf.render_pdf(
            pdf.DocumentContent(
                title="受理通知书",
                rows=ROWS,
                paragraphs=["您提交的申请材料齐全、符合法定形式，本机关决定予以受理。"],
                unit_name=UNIT,
                issued_on=dt.date(2026, 11, 23),
                verification_code=CODE,
                qr_png=qr.qr_png(payload),
            )
        )

    unsigned = render()
    signed = pdf.sign_pdf(unsigned, unit, KEK, issuing.cert_pem)
    detached = cms.sign_detached(signed, unit, KEK, issuing.cert_pem)
    raw_signature = key.sign(signed, ec.ECDSA(hashes.SHA256()))
    payload = qr.make_qr_payload(CODE, ROWS, unit, KEK)
    crl = ca.build_crl(issuing, KEK, [], crl_number=1)
    assert verify_pdf(signed, root.cert_pem, crl).ok
    assert verify_detached(signed, detached, root.cert_pem, crl).ok

    def full_document() -> bytes:
        document = pdf.sign_pdf(render(), unit, KEK, issuing.cert_pem)
        cms.sign_detached(document, unit, KEK, issuing.cert_pem)
        return document

    signing = [
        (
            "raw ECDSA sign of the PDF bytes (baseline)",
            lambda: key.sign(signed, ec.ECDSA(hashes.SHA256())),
        ),
        (
            "decrypt the stored key + raw sign",
            lambda: ca.load_private_key(unit.key_pem, KEK).sign(signed, ec.ECDSA(hashes.SHA256())),
        ),  # noqa: E501
        (
            "detached CMS signature (openssl-verifiable)",
            lambda: cms.sign_detached(signed, unit, KEK, issuing.cert_pem),
        ),  # noqa: E501
        (
            "QR payload (compact signature over the rows)",
            lambda: qr.make_qr_payload(CODE, ROWS, unit, KEK),
        ),  # noqa: E501
        (
            "PAdES seal of the rendered PDF",
            lambda: pdf.sign_pdf(unsigned, unit, KEK, issuing.cert_pem),
        ),  # noqa: E501
        ("whole document: render + QR + PAdES + CMS", full_document),
    ]
    verifying = [
        (
            "raw ECDSA verify of the PDF bytes (baseline)",
            lambda: public.verify(raw_signature, signed, ec.ECDSA(hashes.SHA256())),
        ),  # noqa: E501
        (
            "QR payload against the printed rows",
            lambda: qr.verify_qr_payload(
                payload, ROWS, unit.cert, root.cert_pem, intermediates=issuing.cert_pem, crl=crl
            ),
        ),  # noqa: E501
        (
            "detached CMS (chain to root + CRL)",
            lambda: verify_detached(signed, detached, root.cert_pem, crl),
        ),  # noqa: E501
        ("signed PDF (integrity, chain, CRL)", lambda: verify_pdf(signed, root.cert_pem, crl)),
    ]

    print(f"document: {len(signed):,} bytes signed PDF; {args.seconds:.1f} s per figure\n")
    for title, group in (("signing", signing), ("verification", verifying)):
        print(f"{title:<48} {'ops/s':>10} {'ms/op':>9} {'× baseline':>11}")
        baseline = None
        for name, fn in group:
            per_second, _ = rate(fn, args.seconds)
            baseline = baseline or per_second
            ratio = baseline / per_second
            print(f"  {name:<46} {per_second:>10,.1f} {1000 / per_second:>9.2f} {ratio:>10.1f}x")
        print()


if __name__ == "__main__":
    main()
