"""Run pyHanko's coroutines from synchronous code, inside or outside an event loop.

pyHanko's signing and validation are async.  The web layer awaits the
``a*`` functions directly; tests, the CLI and Dramatiq actors call the
synchronous wrappers, which must also work when an event loop is already
running in the calling thread (``asyncio.run`` would refuse there), so
that case runs the coroutine on a private loop in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion and return its result."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
