"""The site's certificate authority and document signing.

Pure functions over bytes and PEM (no database): :mod:`.ca` makes the
root, issuing CA, unit/person certificates and CRLs; :mod:`.cms` makes
detached signatures; :mod:`.pdf` renders and PAdES-signs documents;
:mod:`.qr` makes and checks the offline QR payload; :mod:`.verify` is the
single entry point for checking a PDF or a detached signature.  The
algorithm sits behind :mod:`.backend` so an SM2 backend can be plugged in.
"""

from .backend import (
    DEFAULT_BACKEND,
    EcdsaP256Backend,
    SigningBackend,
    get_backend,
    register_backend,
)
from .ca import (
    CertAndKey,
    CertInfo,
    Revocation,
    build_crl,
    cert_info,
    create_issuing_ca,
    create_root_ca,
    issue_person_cert,
    issue_unit_cert,
    load_private_key,
    reencrypt_private_key,
    revoked_serials,
    serial_hex,
)
from .cms import sign_detached
from .pdf import DocumentContent, DocumentLabels, asign_pdf, find_cjk_font, render_pdf, sign_pdf
from .qr import (
    QrVerification,
    make_qr_payload,
    parse_qr_payload,
    qr_png,
    rows_digest,
    verify_qr_payload,
)
from .result import Verification
from .verify import averify_detached, averify_pdf, verify_detached, verify_pdf

__all__ = [
    "DEFAULT_BACKEND",
    "CertAndKey",
    "CertInfo",
    "DocumentContent",
    "DocumentLabels",
    "EcdsaP256Backend",
    "QrVerification",
    "Revocation",
    "SigningBackend",
    "Verification",
    "asign_pdf",
    "averify_detached",
    "averify_pdf",
    "build_crl",
    "cert_info",
    "create_issuing_ca",
    "create_root_ca",
    "find_cjk_font",
    "get_backend",
    "issue_person_cert",
    "issue_unit_cert",
    "load_private_key",
    "make_qr_payload",
    "parse_qr_payload",
    "qr_png",
    "reencrypt_private_key",
    "register_backend",
    "render_pdf",
    "revoked_serials",
    "rows_digest",
    "serial_hex",
    "sign_detached",
    "sign_pdf",
    "verify_detached",
    "verify_pdf",
    "verify_qr_payload",
]
