"""Operations: metrics an operator can scrape, readiness, request ids, JSON logs, and a
clean 503 — never a stack trace — while the database is away."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import sqlite3

import asyncpg
import pytest
import redis.exceptions

from core.ops.logs import logging_config
from core.ops.metrics_dir import prepare_multiprocess_metrics
from core.ops.unavailable import dependency_unavailable


async def test_metrics_report_request_latency_and_the_backlog(browser):
    await browser.get("/healthz")
    response = await browser.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        'tongban_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}'
        in text
    )
    assert 'tongban_dependency_up{name="database"} 1.0' in text
    for gauge in (
        "tongban_outbox_lag ",
        "tongban_outbox_oldest_seconds ",
        "tongban_cases_overdue ",
    ):
        assert gauge in text
    assert 'tongban_queue_messages{kind="ready",queue="tongban-' in text


async def test_readiness_names_each_dependency(browser):
    response = await browser.get("/readyz")
    assert response.status_code == 200
    from core.settings import get_settings

    # The embedded default (no broker URL, on either database) has no broker to reach.
    expected = {"database": "ok", **({} if get_settings().embedded_worker else {"broker": "ok"})}
    assert response.json() == {"status": "ready", "checks": expected}


async def test_request_ids_are_kept_from_the_proxy_or_made_up(browser):
    kept = await browser.get("/healthz", headers={"x-request-id": "nginx-7f3a9c"})
    assert kept.headers["x-request-id"] == "nginx-7f3a9c"
    forged = await browser.get("/healthz", headers={"x-request-id": "evil\tid with spaces"})
    assert forged.headers["x-request-id"] != "evil\tid with spaces"
    assert len(forged.headers["x-request-id"]) == 16


async def test_every_request_leaves_one_access_line_with_its_fields(browser, caplog):
    with caplog.at_level(logging.INFO, logger="tongban.access"):
        await browser.get("/healthz", headers={"x-request-id": "req-42"})
    (record,) = [r for r in caplog.records if r.name == "tongban.access"]
    assert (record.method, record.route, record.status) == ("GET", "/healthz", 200)
    assert record.duration_ms >= 0


def test_json_logs_are_one_object_per_line_with_the_request_id():
    config = logging_config(json=True)
    formatter_spec = dict(config["formatters"]["default"])
    factory = formatter_spec.pop("()")
    module, _, name = factory.rpartition(".")
    formatter = getattr(__import__(module, fromlist=[name]), name)(**formatter_spec)
    record = logging.LogRecord(
        "tongban.web", logging.WARNING, __file__, 1, "办件 %s 超时", ("X1",), None
    )
    record.request_id = "req-42"
    line = formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["level"] == "WARNING"
    assert parsed["logger"] == "tongban.web"
    assert parsed["message"] == "办件 X1 超时"  # readable Chinese, not \u escapes
    assert "办件" in line
    assert parsed["request_id"] == "req-42"


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432)"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError(
            "terminating connection due to administrator command"
        ),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.TooManyConnectionsError("too many clients"),
        sqlite3.OperationalError("database is locked"),
        asyncpg.exceptions.InternalClientError(
            "cannot switch to state 15; another operation (2) is in progress"
        ),
        redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379"),
        TimeoutError(),
    ],
)
def test_a_dependency_being_away_is_recognised(exc):
    assert dependency_unavailable(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("a bug"),
        KeyError("state"),
        FileNotFoundError(errno.ENOENT, "template missing"),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
        asyncpg.exceptions.InterfaceError(
            "cannot perform operation: another operation is in progress"
        ),
        sqlite3.OperationalError("no such table: cases_case"),
    ],
)
def test_bugs_are_not_mistaken_for_an_outage(exc):
    assert not dependency_unavailable(exc)


async def test_database_away_gives_a_clean_503_page_and_json(browser, monkeypatch):
    await browser.login("clerk")
    import core.web.guards

    async def database_restarting(*_args, **_kwargs):
        raise asyncpg.exceptions.CannotConnectNowError("the database system is shutting down")

    monkeypatch.setattr(core.web.guards, "load_principal", database_restarting)
    page = await browser.get("/cases/")
    assert page.status_code == 503
    assert page.headers["retry-after"] == "15"
    assert "服务暂时不可用，请一分钟后再试。" in page.text
    assert "Traceback" not in page.text and "asyncpg" not in page.text
    api = await browser.get("/api/v1/cases/1", headers={"accept": "application/json"})
    assert api.status_code == 503
    body = api.json()
    assert (body["status"], body["message"]) == (503, "服务暂时不可用，请一分钟后再试。")
    monkeypatch.undo()
    assert (await browser.get("/cases/")).status_code == 200  # back as soon as it is


def test_multiprocess_metrics_start_from_zero(tmp_path, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    stale = tmp_path / "metrics" / "histogram_4242.db"
    stale.parent.mkdir()
    stale.write_bytes(b"old run")
    folder = prepare_multiprocess_metrics(tmp_path)
    assert folder == tmp_path / "metrics"
    assert list(folder.iterdir()) == []
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")


async def test_a_scrape_answers_even_when_the_broker_hangs(browser, monkeypatch):
    import core.ops.probes

    def hang() -> list:
        import time

        time.sleep(10)
        return []

    monkeypatch.setattr(core.ops.metrics, "SCRAPE_TIMEOUT", 0.5)
    monkeypatch.setattr(core.ops.probes, "queue_depths", hang)
    started = asyncio.get_running_loop().time()
    response = await browser.get("/metrics")
    assert response.status_code == 200
    assert asyncio.get_running_loop().time() - started < 5
    assert "tongban_queue_messages" not in response.text
    assert "tongban_outbox_lag" in response.text


def _gauge(text: str, name: str) -> float:
    (line,) = [x for x in text.splitlines() if x.startswith(f"{name} ")]
    return float(line.split()[1])


async def test_jobs_given_up_are_counted_from_the_outbox_past_what_memory_keeps(browser):
    """``tongban_jobs_dead``: jobs given up and not redone, whatever the broker — the
    embedded default's dead letters in memory stop at 100 (DEAD_LETTERS_KEPT), Redis
    and RabbitMQ keep theirs a week, redone or not."""
    from datetime import UTC, datetime

    from dramatiq.brokers.stub import StubBroker

    from core.jobs.broker import DEAD_LETTERS_KEPT, broker
    from core.jobs.dead import redo
    from core.jobs.tables import OutboxMessage

    before = _gauge((await browser.get("/metrics")).text, "tongban_jobs_dead")
    many = DEAD_LETTERS_KEPT + 20
    await OutboxMessage.insert(
        *(
            OutboxMessage(
                actor="ops_test_sms",
                payload={"case": n},
                sent_at=datetime.now(UTC),
                attempts=21,
                last_error="ConnectionError('SMS gateway down')",
            )
            for n in range(many)
        )
    )
    text = (await browser.get("/metrics")).text
    assert _gauge(text, "tongban_jobs_dead") == before + many
    if isinstance(broker, StubBroker):  # its capped count in memory is not passed off as one
        assert 'kind="dead"' not in text
    newest = (
        await OutboxMessage.select(OutboxMessage.id)
        .where(OutboxMessage.actor == "ops_test_sms")
        .order_by(OutboxMessage.id, ascending=False)
        .first()
    )["id"]
    assert await redo([newest]) == [newest]  # redone: no longer dead
    text = (await browser.get("/metrics")).text
    assert _gauge(text, "tongban_jobs_dead") == before + many - 1
    await OutboxMessage.delete().where(OutboxMessage.actor == "ops_test_sms")


@pytest.mark.postgres
async def test_counting_the_jobs_given_up_reads_only_their_index(site):
    """The outbox keeps every message ever sent; /metrics counts the few given up."""
    from core.jobs.dead import GIVEN_UP
    from core.jobs.tables import OutboxMessage

    async with OutboxMessage._meta.db.transaction():
        await OutboxMessage.raw("SET LOCAL enable_seqscan = off")
        plan = await OutboxMessage.raw(f"EXPLAIN {GIVEN_UP}")
    text = "\n".join(row["QUERY PLAN"] for row in plan)
    assert "jobs_outbox_given_up" in text, text
