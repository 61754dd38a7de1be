"""The password policy, and which passwords are the demo site's.

Length and a blocklist matter most (NIST SP 800-63B); two kinds of character
are asked for as well because that is what Chinese government systems are
audited against (等保 2.0 asks for password complexity).
"""

from __future__ import annotations

import tomllib
from functools import lru_cache

from core.i18n import N_
from core.settings import REPO_SITES_DIR

MIN_LENGTH = 10
MAX_LENGTH = 256

# The most common passwords of Chinese and English-speaking users, lower-cased.
COMMON = frozenset(
    {
        "1234567890",
        "12345678910",
        "123456789a",
        "a123456789",
        "qwertyuiop",
        "1q2w3e4r5t",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou520",
        "woaini1314",
        "woaini520520",
        "5201314520",
        "abc1234567",
        "abcd123456",
        "admin12345",
        "admin123456",
        "administrator",
        "qwerty12345",
        "1qaz2wsx3edc",
        "zxcvbnm123",
        "aa123456789",
        "tongban123",
        "tongban2026",
        "changeme123",
    }
)


@lru_cache(maxsize=1)
def demo_passwords() -> frozenset[str]:
    """Passwords printed for the demo site; never acceptable anywhere else."""
    path = REPO_SITES_DIR / "demo" / "site.toml"
    try:
        site = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return frozenset()
    return frozenset(entry["password"] for entry in site.get("staff", []) if "password" in entry)


def problems(password: str, *, username: str = "", display_name: str = "") -> list[str]:
    """Every way ``password`` falls short of the policy (English msgids); empty when fine."""
    found: list[str] = []
    if len(password) < MIN_LENGTH:
        found.append(N_("Use at least 10 characters."))
    if len(password) > MAX_LENGTH:
        found.append(N_("Use at most 256 characters."))
    kinds = sum(
        (
            any(c.isalpha() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if kinds < 2:
        found.append(N_("Mix at least two kinds of character: letters, digits, symbols."))
    if len(set(password)) < 4:
        found.append(N_("Use more different characters."))
    lowered = password.lower()
    if lowered in COMMON or password in demo_passwords():
        found.append(N_("This password is too well known; choose another one."))
    for name in (username, display_name):
        if name and len(name) >= 3 and name.lower() in lowered:
            found.append(N_("Do not put your name or username in the password."))
            break
    return found
