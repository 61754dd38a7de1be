"""``/metrics`` for Prometheus and ``/readyz`` for the proxy or orchestrator.

``/healthz`` (core.web.home) says the process answers; ``/readyz`` says it
can do useful work — the database answers — and reports the broker too.
Neither is in the OpenAPI schema. ``deploy/nginx.conf`` keeps ``/metrics``
to the monitoring network.
"""

from __future__ import annotations

from litestar import Controller, MediaType, Response, get

from core.ops import probes
from core.ops.metrics import exposition


class OpsController(Controller):
    path = "/"
    include_in_schema = False

    @get("/metrics", name="ops.metrics", cache=False)
    async def metrics(self) -> Response:
        body, content_type = await exposition()
        return Response(body, media_type=content_type)

    @get("/readyz", name="ops.readyz", media_type=MediaType.JSON, cache=False)
    async def readyz(self) -> Response:
        ready, checks = await probes.readiness()
        return Response(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
            headers={"Cache-Control": "no-store"},
        )
