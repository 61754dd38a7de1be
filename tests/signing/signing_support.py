"""Constants and helpers shared by the signing tests (imported by name, unlike conftest)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from core.signing import ca

ROOT_PASS = "city-admin-root-passphrase"
KEK = "site-key-encryption-secret"
SITE = "示例市通办"
UNIT_NAME = "示例市人力资源和社会保障局"
UNIT_CODE = "11110000MB0000000X"
ROWS = [
    ("申请人", "张三"),
    ("公民身份号码", "110101********1234"),
    ("办理事项", "灵活就业人员参加职工基本养老保险登记"),
    ("办理结果", "准予登记"),
]
CODE = "TB-2026-7K3Q9M"


def run_openssl(openssl: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [openssl, *map(str, args)], capture_output=True, text=True, timeout=30, check=False
    )


def flip(data: bytes, index: int) -> bytes:
    """``data`` with one bit of the byte at ``index`` flipped."""
    out = bytearray(data)
    out[index] ^= 0x01
    return bytes(out)


@dataclass(frozen=True)
class Pki:
    root: ca.CertAndKey
    issuing: ca.CertAndKey
    unit: ca.CertAndKey
    person: ca.CertAndKey
    other_root: ca.CertAndKey
    other_issuing: ca.CertAndKey
    other_unit: ca.CertAndKey
