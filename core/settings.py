"""Site configuration: ``sites/<name>/site.toml`` overlaid by environment variables.

With nothing set, the embedded default runs: the ``demo`` site, a SQLite file
in the site's own ``var/`` folder, the in-process worker, and secrets that are
generated on first start and kept in ``var/`` readable by the owner only.

Environment variables (all optional):

- ``TONGBAN_SITE``          site folder name under ``sites/`` (default ``demo``)
- ``TONGBAN_SITES_DIR``     where site folders live (default: the repository's ``sites/``)
- ``TONGBAN_VAR_DIR``       where the site keeps its data (default ``sites/<name>/var``)
- ``TONGBAN_DATABASE_URL``  ``postgresql://user@host:5432/db`` or ``sqlite:///path``
- ``TONGBAN_BROKER_URL``    ``redis://…`` or ``amqp://…``; unset means in-process
- ``TONGBAN_SESSION_URL``   where sessions live: ``redis://…`` (a Redis apart from the broker's,
                            so a broker outage logs nobody out) or ``file:`` (``var/`` files);
                            unset means the broker's Redis if it is one, else files
- ``TONGBAN_SECRET_KEY``    signs sessions and CSRF tokens
- ``TONGBAN_DATA_KEY``      encrypts personal data at rest (urlsafe base64, 32 bytes)
- ``TONGBAN_WORKER_PREFETCH``        messages a ``tongban worker`` takes ahead from the job
                                     queue (default: 2 per ``--threads``, Dramatiq's)
- ``TONGBAN_WORKER_DELAY_PREFETCH``  delayed messages (retries waiting their turn) a
                                     ``tongban worker`` holds at once (default 100)
"""

from __future__ import annotations

import base64
import os
import secrets
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO_SITES_DIR = Path(__file__).resolve().parent.parent / "sites"


@dataclass(frozen=True)
class Settings:
    site_name: str
    site_dir: Path
    var_dir: Path
    database_url: str
    broker_url: str | None
    secret_key: str
    data_key: bytes
    title: str = "通办"
    title_en: str = "Tongban"
    default_locale: str = "zh_CN"
    timezone: str = "Asia/Shanghai"
    demo: bool = False
    site: dict[str, Any] = field(default_factory=dict)
    session_url: str | None = None  # see core.web.sessions.shared_store
    # `tongban worker`'s Dramatiq prefetch (see core.jobs.standalone.make_worker): None is
    # Dramatiq's 2 per thread for the job queue.
    worker_prefetch: int | None = None
    worker_delay_prefetch: int = 100

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def embedded_worker(self) -> bool:
        """No broker server named: jobs run in a worker thread of this process."""
        return not self.broker_url


def _persistent_secret(var_dir: Path, name: str, make: callable) -> str:
    """Read a secret from var/, creating it (mode 0600) on first start."""
    path = var_dir / name
    if path.exists():
        return path.read_text().strip()
    value = make()
    # O_EXCL: two processes starting at once must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def _count(env: dict[str, str], name: str, default: int | None) -> int | None:
    """A whole number of at least 1 from ``env[name]``; unset or empty gives ``default``."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise SystemExit(
            f"Tongban: {name} 须为 1 至 65535 的整数，而不是 {raw!r}"
            f" / {name} must be a whole number from 1 to 65535, not {raw!r}"
        )
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    # Read first: a bad value stops start-up before anything is made.
    worker_prefetch = _count(env, "TONGBAN_WORKER_PREFETCH", None)
    worker_delay_prefetch = _count(env, "TONGBAN_WORKER_DELAY_PREFETCH", 100)
    site_name = env.get("TONGBAN_SITE", "demo")
    sites_dir = Path(env.get("TONGBAN_SITES_DIR", REPO_SITES_DIR))
    site_dir = sites_dir / site_name
    site_file = site_dir / "site.toml"
    if not site_file.exists():
        raise SystemExit(f"Tongban: no site configuration at {site_file}")
    site = tomllib.loads(site_file.read_text(encoding="utf-8"))
    var_dir = Path(env.get("TONGBAN_VAR_DIR", site_dir / "var"))
    var_dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    database_url = env.get("TONGBAN_DATABASE_URL") or f"sqlite:///{var_dir / 'tongban.sqlite3'}"
    secret_key = env.get("TONGBAN_SECRET_KEY") or _persistent_secret(
        var_dir, "secret_key", lambda: secrets.token_urlsafe(48)
    )
    data_key = env.get("TONGBAN_DATA_KEY") or _persistent_secret(
        var_dir, "data_key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    )
    meta = site.get("site", {})
    return Settings(
        site_name=site_name,
        site_dir=site_dir,
        var_dir=var_dir,
        database_url=database_url,
        broker_url=env.get("TONGBAN_BROKER_URL") or None,
        secret_key=secret_key,
        data_key=base64.urlsafe_b64decode(data_key),
        title=meta.get("title", "通办"),
        title_en=meta.get("title_en", "Tongban"),
        default_locale=meta.get("default_locale", "zh_CN"),
        timezone=meta.get("timezone", "Asia/Shanghai"),
        demo=bool(meta.get("demo", False)),
        site=site,
        session_url=env.get("TONGBAN_SESSION_URL") or None,
        worker_prefetch=worker_prefetch,
        worker_delay_prefetch=worker_delay_prefetch,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return load_settings()


def site_today(moment: datetime | str | None = None) -> date:
    """The site's local date at ``moment`` (default: now; an ISO timestamp, as a case read
    back from JSON carries it, is read as one). In Asia/Shanghai it is already the
    machine's tomorrow from 16:00 UTC: never ``date.today()``."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment or datetime.now(UTC)).astimezone(ZoneInfo(get_settings().timezone)).date()
