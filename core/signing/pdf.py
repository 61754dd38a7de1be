"""Render official documents to PDF with an embedded Chinese font, and seal them with PAdES.

Why an embedded TrueType font: a PDF that only *names* a CJK font
(reportlab's ``STSong-Light`` CID reference) shows boxes or a substitute
face on a reader without Asian font packs, and what a citizen prints must
look the same everywhere.  reportlab embeds a subset of a TrueType-outline
font (``/FontFile2``); it cannot embed CFF-outline OpenType (Noto CJK
``.otf``), so the font must be TrueType.

The font is found, in order, at: the ``font_path`` argument, the
``TONGBAN_CJK_FONT`` environment variable, the copy vendored in
``core/signing/fonts/`` (WenQuanYi Micro Hei, Apache-2.0, taken unmodified
from Debian's ``fonts-wqy-microhei``), then the system paths of Debian's
``fonts-wqy-microhei``, ``fonts-wqy-zenhei``, ``fonts-arphic-uming`` and
``fonts-droid-fallback``.  Nothing is downloaded at run time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ._aio import run_sync
from .backend import DEFAULT_BACKEND, SigningBackend
from .ca import CertAndKey, CertInput, Passphrase, load_certs, load_private_key

__all__ = [
    "FONT_ENV",
    "SYSTEM_FONT_PATHS",
    "VENDORED_FONT",
    "DocumentContent",
    "DocumentLabels",
    "asign_pdf",
    "find_cjk_font",
    "register_cjk_font",
    "render_pdf",
    "sign_pdf",
]

FONT_ENV = "TONGBAN_CJK_FONT"
VENDORED_FONT = Path(__file__).with_name("fonts") / "wqy-microhei.ttc"
SYSTEM_FONT_PATHS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)


@dataclass(frozen=True)
class DocumentLabels:
    """The fixed words printed on every document; pass translated ones from i18n."""

    issued_by: str = "签发单位"
    issued_on: str = "签发日期"
    verification_code: str = "核验码"
    scan_hint: str = "扫描二维码或凭核验码在线核验本文件真伪"


@dataclass(frozen=True)
class DocumentContent:
    """Everything printed on a receipt, notice, decision or e-licence."""

    title: str
    rows: Sequence[tuple[str, str]] = ()
    paragraphs: Sequence[str] = ()
    unit_name: str = ""
    issued_on: dt.date | str = ""
    verification_code: str = ""
    qr_png: bytes | None = None
    labels: DocumentLabels = field(default_factory=DocumentLabels)


# ---------------------------------------------------------------------------- font


def find_cjk_font(font_path: str | os.PathLike[str] | None = None) -> Path:
    """Return the first usable TrueType CJK font file, or raise FileNotFoundError."""
    candidates: list[Path] = []
    if font_path:
        candidates.append(Path(font_path))
    if os.environ.get(FONT_ENV):
        candidates.append(Path(os.environ[FONT_ENV]))
    candidates.append(VENDORED_FONT)
    candidates.extend(SYSTEM_FONT_PATHS)
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(
        "no CJK TrueType font found; set "
        f"{FONT_ENV} or install fonts-wqy-microhei (looked in: "
        + ", ".join(str(p) for p in candidates)
        + ")"
    )


def register_cjk_font(font_path: str | os.PathLike[str] | None = None) -> str:
    """Register the CJK font with reportlab (once per file) and return its font name."""
    path = find_cjk_font(font_path)
    name = "TongbanCJK-" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    if name not in pdfmetrics.getRegisteredFontNames():
        kwargs = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
        pdfmetrics.registerFont(TTFont(name, str(path), **kwargs))
    return name


# -------------------------------------------------------------------------- render


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render_pdf(doc: DocumentContent, *, font_path: str | os.PathLike[str] | None = None) -> bytes:
    """Lay the document out on A4 and return the (unsigned) PDF bytes."""
    font = register_cjk_font(font_path)
    base = ParagraphStyle("body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    title = ParagraphStyle(
        "title", parent=base, fontSize=20, leading=28, alignment=TA_CENTER, spaceAfter=8 * mm
    )
    cell = ParagraphStyle("cell", parent=base, alignment=TA_LEFT)
    small = ParagraphStyle("small", parent=base, fontSize=9, leading=13, textColor=colors.grey)

    width = A4[0] - 50 * mm
    story: list = [_p(doc.title, title)]
    if doc.rows:
        table = Table(
            [[_p(label, cell), _p(value, cell)] for label, value in doc.rows],
            colWidths=[40 * mm, width - 40 * mm],
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),  # else Helvetica is referenced
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        story += [table, Spacer(1, 6 * mm)]
    for para in doc.paragraphs:
        story += [_p(para, base), Spacer(1, 3 * mm)]

    labels = doc.labels
    issued_on = doc.issued_on.isoformat() if isinstance(doc.issued_on, dt.date) else doc.issued_on
    info = [
        _p(f"{labels.issued_by}：{doc.unit_name}", base),
        _p(f"{labels.issued_on}：{issued_on}", base),
        _p(f"{labels.verification_code}：{doc.verification_code}", base),
        _p(labels.scan_hint, small),
    ]
    qr_size = 40 * mm
    qr = Image(io.BytesIO(doc.qr_png), width=qr_size, height=qr_size) if doc.qr_png else ""
    footer = Table([[info, qr]], colWidths=[width - qr_size - 5 * mm, qr_size + 5 * mm])
    footer.setStyle(
        TableStyle([("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")])
    )
    story += [Spacer(1, 10 * mm), footer]

    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=doc.title,
        author=doc.unit_name,
        creator="Tongban",
        initialFontName=font,  # else reportlab references a non-embedded Helvetica
    ).build(story)
    return out.getvalue()


# ---------------------------------------------------------------------------- sign


def _pdf_signer(
    signer: CertAndKey, key_passphrase: Passphrase, chain: CertInput
) -> signers.SimpleSigner:
    key = load_private_key(signer.key_pem, key_passphrase)
    key_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    der = serialization.Encoding.DER
    chain_certs = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in load_certs(chain)]
    return signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(signer.cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(chain_certs),
    )


async def asign_pdf(
    pdf: bytes,
    signer: CertAndKey,
    key_passphrase: Passphrase,
    chain: CertInput,
    *,
    field_name: str = "TongbanSeal",
    reason: str | None = None,
    location: str | None = None,
    backend: SigningBackend = DEFAULT_BACKEND,
) -> bytes:
    """Add a PAdES baseline (B-B) signature in an invisible field; return the signed PDF.

    The signer certificate and ``chain`` (issuing CA, optionally the root)
    are embedded so a verifier needs only the site root.  The signing time
    is the signature dictionary's /M entry, as PAdES prescribes.
    """
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm=backend.digest_name,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location=location,
        name=signer.cert.subject.rfc4514_string(),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    pdf_signer = signers.PdfSigner(meta, signer=_pdf_signer(signer, key_passphrase, chain))
    out = await pdf_signer.async_sign_pdf(writer, bytes_reserved=_reserve(signer, chain))
    return out.getvalue()


def _reserve(signer: CertAndKey, chain: CertInput) -> int:
    """Room for the CMS container in /Contents, sized from the certificates it embeds.

    Reserving it up front spares pyHanko a dry-run signature to measure the
    container, which roughly halves the signing time. The certificates are
    most of the container; signed attributes and the signature itself take
    well under 1 KB for ECDSA or SM2, so 4 KB on top is a wide margin.
    """
    der = serialization.Encoding.DER
    certs = [signer.cert, *load_certs(chain)]
    size = 4096 + sum(len(c.public_bytes(der)) for c in certs)
    return size + size % 2  # pyHanko wants an even number


def sign_pdf(
    pdf: bytes,
    signer: CertAndKey,
    key_passphrase: Passphrase,
    chain: CertInput,
    *,
    field_name: str = "TongbanSeal",
    reason: str | None = None,
    location: str | None = None,
    backend: SigningBackend = DEFAULT_BACKEND,
) -> bytes:
    """Synchronous :func:`asign_pdf` for workers, scripts and tests."""
    return run_sync(
        asign_pdf(
            pdf,
            signer,
            key_passphrase,
            chain,
            field_name=field_name,
            reason=reason,
            location=location,
            backend=backend,
        )
    )
