"""Fault tests: real processes, private servers, kill -9. Run them with

    TONGBAN_FAULT_TESTS=1 .venv/bin/pytest tests/faults

(.ci/run does). Each takes tens of seconds, so the everyday ``pytest`` run
skips them; they need PostgreSQL's server binaries and redis-server, which
``scripts/bootstrap`` and CI's machine provide; the tests that involve the broker
run on both Redis and RabbitMQ (``rabbitmq-server``, which CI's machine has).
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.faults.support import PrivatePostgres, PrivateRabbitmq, PrivateRedis

ENABLED = os.environ.get("TONGBAN_FAULT_TESTS") == "1"


def pytest_collection_modifyitems(config, items):
    if ENABLED:
        return
    skip = pytest.mark.skip(reason="fault tests run with TONGBAN_FAULT_TESTS=1 (see .ci/run)")
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def private_postgres():
    """One private cluster for the session; each test gets its own database in it."""
    cluster = PrivatePostgres()
    cluster.start()
    yield cluster
    cluster.destroy()


@pytest.fixture
def database(private_postgres):
    name = f"fault_{uuid.uuid4().hex[:10]}"
    return private_postgres.create_database(name)


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.destroy()


@pytest.fixture(params=["redis", "rabbitmq"])
def private_broker(request):
    """A broker server of the test's own; a test that takes it runs once on each kind."""
    server = PrivateRedis() if request.param == "redis" else PrivateRabbitmq()
    server.start()
    yield server
    server.destroy()
