"""Schemathesis against the JSON API's own OpenAPI schema: whatever a client sends,
no 5xx, and every documented answer matches the schema.

Requests carry a department system's bearer token (a window clerk's), so the
fuzzing reaches past authentication into the handlers and services.
"""

from __future__ import annotations

import asyncio
import os

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from tests.fuzz.support import window_token

# Per operation. The everyday suite stays quick; CI's fault stage runs a deeper pass
# (TONGBAN_FUZZ_EXAMPLES=40, see .ci/run). derandomize: the same requests every run.
EXAMPLES = int(os.environ.get("TONGBAN_FUZZ_EXAMPLES", "4"))
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


async def test_the_json_api_survives_schemathesis(browser):
    spec = (await browser.get("/api/docs/openapi.json")).json()
    schema = schemathesis.openapi.from_dict(spec).include(path_regex=r"^/api/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    auth = {"authorization": f"Bearer {await window_token()}"}
    loop = asyncio.get_running_loop()
    client = browser.client
    failures: list[str] = []

    def fuzz(operation) -> None:
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same requests every run: a failure reproduces
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case) -> None:
            kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=auth)
            kwargs.pop("cookies", None)
            future = asyncio.run_coroutine_threadsafe(_send(client, kwargs), loop)
            response = future.result(timeout=60)
            case.validate_response(response, checks=CHECKS)

        try:
            check()
        except BaseException as exc:  # schemathesis raises a group: collect, report them all
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            first = [str(e) for e in getattr(exc, "exceptions", [exc])][:2]
            failures.append(f"{operation.method.upper()} {operation.path}: {' / '.join(first)}")

    for operation in operations:
        await asyncio.to_thread(fuzz, operation)
    assert not failures, "\n".join(failures)


async def _send(client, kwargs: dict):
    kwargs = dict(kwargs)
    method, url = kwargs.pop("method"), kwargs.pop("url")
    allowed = {"headers", "params", "json", "data", "content", "files"}
    return await client.request(method, url, **{k: v for k, v in kwargs.items() if k in allowed})
