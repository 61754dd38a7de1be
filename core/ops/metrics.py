"""Prometheus metrics: request latency per route, and the backlog gauges an operator
watches — queue depth, outbox lag, overdue cases.

Request metrics are counted in each app process. With several processes
(``tongban serve --workers N``) the ``serve`` command points
``PROMETHEUS_MULTIPROC_DIR`` at an empty folder before the processes start,
and every scrape of ``/metrics`` adds up all of them. The backlog gauges are
read from the database and the broker at scrape time, so any one process
answers for the whole site.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
import uuid

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core.ops.logs import request_id

access_log = logging.getLogger("tongban.access")
log = logging.getLogger("tongban.ops")

# Page loads on a village connection: what matters is 50 ms … 2 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10)

REQUEST_SECONDS = Histogram(
    "tongban_http_request_duration_seconds",
    "Time from receiving a request to sending the last byte of its response.",
    ["method", "route", "status"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS = Counter(
    "tongban_http_requests_total", "Requests answered.", ["method", "route", "status"]
)

# Request ids from the proxy (nginx's $request_id) are kept if they look sane.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
SCRAPE_TIMEOUT = 3.0  # seconds; a scrape must answer even when a dependency hangs


def request_middleware(app):
    """ASGI middleware: request id, latency histogram, one access-log line per request."""

    async def middleware(scope, receive, send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or ()).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        status = {"code": 500}
        started = time.perf_counter()

        async def send_with_id(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", ()), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("path_template") or "unmatched"
            labels = (scope["method"], route, str(status["code"]))
            REQUEST_SECONDS.labels(*labels).observe(elapsed)
            REQUESTS.labels(*labels).inc()
            access_log.info(
                "%s %s %s %.1fms",
                scope["method"],
                scope["path"],
                status["code"],
                elapsed * 1000,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status["code"],
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": (scope.get("client") or ("-",))[0],
                },
            )
            request_id.reset(token)

    return middleware


# -- scrape-time gauges ------------------------------------------------------------


class _Snapshot(Collector):
    """Gauges already measured (asynchronously) for one scrape."""

    def __init__(self, families: list[GaugeMetricFamily]):
        self.families = families

    def collect(self):
        return iter(self.families)


async def _bounded(coro, default):
    try:
        return await asyncio.wait_for(coro, SCRAPE_TIMEOUT)
    except Exception as exc:  # a dependency is down: report it as a gauge, not a 500
        log.warning("metrics: %s unavailable: %r", getattr(coro, "__name__", "probe"), exc)
        return default


async def _outbox() -> tuple[int, float]:
    """Unsent outbox rows, and the age in seconds of the oldest one (0 when none)."""
    from datetime import UTC, datetime

    from core.jobs.outbox import lag
    from core.jobs.tables import OutboxMessage

    count = await lag()
    oldest = (
        await OutboxMessage.select(OutboxMessage.created_at)
        .where(OutboxMessage.sent_at.is_null())
        .order_by(OutboxMessage.id)
        .first()
    )
    age = (datetime.now(UTC) - oldest["created_at"]).total_seconds() if oldest else 0.0
    return count, max(age, 0.0)


async def _overdue() -> int:
    """Open cases whose time limit has run out (red light, 亮红灯)."""
    from core.cases.states import OPEN_STATES
    from core.cases.tables import Case

    return await Case.count().where((Case.light == "red") & Case.state.is_in(list(OPEN_STATES)))


async def gauges() -> list[GaugeMetricFamily]:
    from core.ops.probes import broker_up, database_up, jobs_dead, queue_depths

    db_ok, broker_ok = await asyncio.gather(database_up(), broker_up())
    families = []
    up = GaugeMetricFamily(
        "tongban_dependency_up", "1 when the dependency answers.", labels=["name"]
    )
    up.add_metric(["database"], 1 if db_ok else 0)
    if broker_ok is not None:
        up.add_metric(["broker"], 1 if broker_ok else 0)
    families.append(up)
    if db_ok:
        lag, age = await _bounded(_outbox(), (None, None))
        if lag is not None:
            families.append(
                GaugeMetricFamily(
                    "tongban_outbox_lag",
                    "Outbox messages not yet held by the broker (embedded: not yet done).",
                    lag,
                )
            )
            families.append(
                GaugeMetricFamily(
                    "tongban_outbox_oldest_seconds",
                    "Age of the oldest message still waiting in the outbox.",
                    age,
                )
            )
        dead = await _bounded(jobs_dead(), None)
        if dead is not None:
            families.append(
                GaugeMetricFamily(
                    "tongban_jobs_dead",
                    "Jobs given up and not redone (tongban jobs dead), from the outbox.",
                    dead,
                )
            )
        overdue = await _bounded(_overdue(), None)
        if overdue is not None:
            families.append(
                GaugeMetricFamily(
                    "tongban_cases_overdue", "Open cases past their time limit.", overdue
                )
            )
    depths = (
        await _bounded(asyncio.to_thread(queue_depths), None) if broker_ok is not False else None
    )
    if depths is not None:
        queue = GaugeMetricFamily(
            "tongban_queue_messages",
            "Job messages on the broker: ready (incl. in hand), delayed (retries), dead.",
            labels=["queue", "kind"],
        )
        for name, kind, count in depths:
            queue.add_metric([name, kind], count)
        families.append(queue)
    return families


def process_registry() -> CollectorRegistry:
    """This process's registry, or the sum of every app process in multi-process mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


async def exposition() -> tuple[bytes, str]:
    """The body and content type of a ``/metrics`` answer."""
    snapshot = CollectorRegistry(auto_describe=False)
    snapshot.register(_Snapshot(await gauges()))
    body = generate_latest(process_registry()) + generate_latest(snapshot)
    return body, CONTENT_TYPE_LATEST
