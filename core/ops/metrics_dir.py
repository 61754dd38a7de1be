"""Where several app processes keep their Prometheus counters (multi-process mode).

prometheus-client's multi-process mode needs ``PROMETHEUS_MULTIPROC_DIR`` set
before any app process imports it, and the folder emptied at each start, or
the counters of a previous run would be added to this one's.
"""

from __future__ import annotations

import os
from pathlib import Path


def prepare_multiprocess_metrics(var_dir: Path) -> Path:
    """Empty (or create) ``var/metrics`` and point this process's children at it.

    An operator's own ``PROMETHEUS_MULTIPROC_DIR`` is respected (and emptied too).
    """
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or var_dir / "metrics")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder
