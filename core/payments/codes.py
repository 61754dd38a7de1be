"""Payment codes (缴款识别码) and receipt numbers.

A payment code is what the resident hands the bank: 20 digits, the filing
division (6), 12 random digits — so codes cannot be enumerated to find other
people's cases — and two check digits (ISO 7064 MOD 97-10, as in IBANs), which
catch every single mistyped digit and nearly every swap.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

from stdnum.iso7064 import mod_97_10

CODE_LENGTH = 20
_CODE_RE = re.compile(r"[0-9]{20}")


def make_payment_code(division: str) -> str:
    body = division[:6].rjust(6, "0") + f"{secrets.randbelow(10**12):012d}"
    return body + mod_97_10.calc_check_digits(body)


def normalise(code: str) -> str:
    """Full-width digits, spaces and dashes as people type them on phones."""
    text = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in text if ch not in " -\u2212\u30fc\t")


def is_valid(code: str) -> bool:
    return bool(_CODE_RE.fullmatch(code)) and mod_97_10.is_valid(code)


def receipt_number(prefix: str, sequence: int) -> str:
    """``<division 6><year 4><sequence 8>``: 18 digits, unique per division and year."""
    return f"{prefix}{sequence:08d}"
