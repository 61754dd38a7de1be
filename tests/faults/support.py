"""Private servers and Tongban processes for the fault tests and the benchmarks.

Everything here is started by the caller and belongs to it: a PostgreSQL
cluster made with ``initdb`` in a temporary folder, a ``redis-server`` on a
free port, a RabbitMQ node of its own, ``tongban serve`` and ``tongban worker``
processes. The machine's shared PostgreSQL, Redis and RabbitMQ are never stopped or
restarted — other people's tests use them. Every server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from importlib.metadata import entry_points
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
TONGBAN = [sys.executable, "-m", "core.cli"]
VILLAGE = "509910101201"  # the demo village agency point
# Department systems file at the township window: a window filing needs no proxy consent.
FILING_UNIT = "509910101000-BM"
ITEM = "000115002000"  # 城乡居民基本养老保险参保登记, in the core demo catalogue


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL server binaries not found ({name})")
    return found[-1]


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: drop to the postgres user when we are root."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on a free port (trust auth, 127.0.0.1 only)."""

    def __init__(self, max_connections: int = 200):
        self.base = Path(tempfile.mkdtemp(prefix="tongban-pg-"))
        self.data = self.base / "data"
        self.port = free_port()
        self.max_connections = max_connections
        if os.geteuid() == 0:
            shutil.chown(self.base, "postgres", "postgres")
        subprocess.run(
            _as_postgres(
                [_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--locale=C", "--no-sync"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.base} "
            f"-c max_connections={self.max_connections} -c fsync=off -c full_page_writes=off"
        )
        subprocess.run(
            _as_postgres(
                [_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                 str(self.base / "log"), "-w", "-t", "60", "start"]
            ),
            check=True, capture_output=True,
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(
            _as_postgres([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
            capture_output=True,
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name],
            check=True, capture_output=True,
        )  # fmt: skip
        return self.url(name)

    def psql(self, database: str, sql: str) -> str:
        result = subprocess.run(
            [_pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return result.stdout.strip()

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


class PrivateRedis:
    """A redis-server of our own; append-only with fsync, so a stop loses no message."""

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tongban-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
             str(self.dir), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
             "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn,
            ):
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: redis flushes the append-only file, then exits
            self.process.wait(timeout=20)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRabbitmq:
    """A RabbitMQ node of our own (its name, ports and data folder), the machine's
    ``rabbitmq-server`` run as the rabbitmq user. Dramatiq's queues are durable and its
    messages persistent, so a stop loses no message. Starting takes about 7 s."""

    SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"  # not the wrapper: it logs elsewhere

    def __init__(self):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="tongban-rabbitmq-"))
        self.node = f"tongban{self.port}@localhost"
        (self.dir / "enabled_plugins").write_text("[].\n")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "rabbitmq", "rabbitmq")
        self.env = {
            **os.environ,
            "HOME": str(self.dir),  # the node's Erlang cookie
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(self.dir / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.dir / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.dir / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.dir / "rabbitmq"),  # none: the defaults
        }
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self) -> None:
        if not Path(self.SERVER).exists():
            raise RuntimeError("rabbitmq-server not found (apt-get install rabbitmq-server)")
        command = [self.SERVER]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "rabbitmq", "--", *command]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=self.dir, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        import pika

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"private rabbitmq-server exited; see {self.dir / 'log'}")
            with contextlib.suppress(pika.exceptions.AMQPError, OSError):
                pika.BlockingConnection(pika.URLParameters(self.url)).close()
                return
            time.sleep(0.25)
        raise RuntimeError("private rabbitmq-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: the node shuts down in order, then exits
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def rabbitmqctl(server: PrivateRabbitmq, *args: str) -> str:
    """``rabbitmqctl`` against a private node (its name and Erlang cookie), e.g. to raise a
    resource alarm: ``rabbitmqctl(server, "set_vm_memory_high_watermark", "0")``."""
    command = ["/usr/lib/rabbitmq/bin/rabbitmqctl", "-n", server.node, *args]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "rabbitmq", "--", *command]
    result = subprocess.run(
        command, env=server.env, cwd=server.dir, capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    return result.stdout


async def wait_until(predicate, timeout: float, what: str) -> None:
    """Poll ``predicate`` (blocking: it runs in a thread) until true, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


def site_env(database_url: str, broker_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TONGBAN_", "PROMETHEUS_"))}
    env.update(
        TONGBAN_SITE="demo",
        TONGBAN_VAR_DIR=str(var_dir),
        TONGBAN_DATABASE_URL=database_url,
        TONGBAN_BROKER_URL=broker_url,
        PYTHONUNBUFFERED="1",
        **extra,
    )
    # The plugins that ship with Tongban (or the caller's choice): a plugin another
    # test installs into the virtualenv for a moment must not change these runs.
    env["TONGBAN_PLUGINS"] = os.environ.get("TONGBAN_PLUGINS") or ",".join(
        sorted(
            ep.name
            for ep in entry_points(group="tongban.plugins")
            if ep.dist is not None and ep.dist.name == "tongban"
        )
    )
    return env


class Proc:
    """A Tongban process with its output in a log file (read it when something fails)."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path):
        self.log = log
        self.handle = open(log, "ab")  # noqa: SIM115 - closed in stop(), lives with the process
        self.process = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=self.handle, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def errors(self) -> str:
        """The ERROR lines of the (JSON) log, each with the last line of its traceback."""
        import json

        found = []
        for line in self.output().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("level") == "ERROR":
                trace = (record.get("exc_info") or "").strip().splitlines()[-1:]
                found.append(f"{record.get('message')} {' '.join(trace)}")
        return "\n".join(found)

    def children(self) -> list[int]:
        """Direct children (uvicorn's app processes under its supervisor)."""
        try:
            text = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        pids = [int(p) for p in text.split()]
        return [p for p in pids if b"spawn_main" in _cmdline(p)]

    def kill9(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, timeout: float = 45) -> int:
        """SIGTERM, then wait; kill the whole group if it hangs. Returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.handle.close()
        return self.process.returncode


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def start_server(env: dict, port: int, log: Path, workers: int = 2, *extra: str) -> Proc:
    server = Proc(
        [*TONGBAN, "serve", "--port", str(port), "--workers", str(workers), "--json-logs", *extra],
        env,
        log,
    )
    wait_ready(f"http://127.0.0.1:{port}", server)
    return server


def wait_ready(base: str, proc: Proc | None = None, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.process.poll() is not None:
            raise RuntimeError(f"server exited: {proc.output()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise RuntimeError(f"server not ready: {proc.output()[-3000:] if proc else ''}")


def start_worker(env: dict, log: Path, *args: str) -> Proc:
    return Proc([*TONGBAN, "worker", "--json-logs", *args], env, log)


TOKEN_SNIPPET = """
import asyncio
from core import db
from core.tenancy.auth import load_principal
from core.tenancy.tables import Staff, Unit
from core.tenancy.tokens import create_token

async def main():
    await db.start()
    admin = await Staff.select(Staff.id).where(Staff.username == "admin").first()
    principal = await load_principal(admin["id"])
    _, secret = await create_token(
        principal, name="{name}", unit_code="{unit}", role="{role}", valid_days=30
    )
    unit = await Unit.select(Unit.id).where(Unit.code == "{unit}").first()
    print(secret, unit["id"])
    await db.stop()

asyncio.run(main())
"""


def api_token(
    env: dict, name: str = "fault test", unit: str = FILING_UNIT, role: str = "window_clerk"
) -> tuple[str, int]:
    """A bearer token for a department system filing at ``unit``; returns (secret, unit id)."""
    result = subprocess.run(
        [sys.executable, "-c", TOKEN_SNIPPET.format(name=name, unit=unit, role=role)],
        env={**env, "TONGBAN_DB_POOL": "0"}, cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    secret, unit_id = result.stdout.split()[-2:]
    return secret, int(unit_id)


def filing(unit_id: int, key: str, n: int = 0) -> dict:
    """A valid filing of the demo pension item through the JSON API."""
    return {
        "unit_id": unit_id,
        "item_code": ITEM,
        "applicant": {"name": "王五", "id_number": "11010519491231002X", "phone": "13900139000"},
        "data": {"contribution_grade": "300", "household_address": VILLAGE},
        "idempotency_key": key,
    }


async def case_rows(url: str) -> list[dict]:
    """Every case with the counts of what must have committed with it."""
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        records = await connection.fetch(
            """
            SELECT c.id, c.tracking_code, c.idempotency_key, c.event_count,
                   (SELECT count(*) FROM cases_event e WHERE e.case = c.id) AS events,
                   (SELECT count(*) FROM cases_task t WHERE t.case = c.id) AS tasks,
                   (SELECT count(*) FROM jobs_outbox o
                     WHERE o.actor = 'case_event' AND (o.payload->>'case_id')::int = c.id)
                     AS messages
              FROM cases_case c ORDER BY c.id
            """
        )
        return [dict(r) for r in records]
    finally:
        await connection.close()


async def broken_chains(url: str, case_ids: list[int]) -> list[int]:
    """Cases whose event hash chain does not verify, by the core's own verifier — run
    in a subprocess pointed at ``url`` (the test process belongs to the suite's site)."""
    import asyncio
    import json

    script = (
        "import asyncio, json, sys\n"
        "from core.cases.events import verify_chain\n"
        "ids = json.loads(sys.argv[1])\n"
        "async def main():\n"
        "    return [i for i in ids if await verify_chain(i) is not None]\n"
        "print(json.dumps(asyncio.run(main())))\n"
    )
    env = {
        **os.environ,
        "TONGBAN_DATABASE_URL": url,
        "TONGBAN_DB_POOL": "0",
        "PICCOLO_CONF": "core.piccolo_conf",
    }
    env.pop("TONGBAN_BROKER_URL", None)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", script, json.dumps(case_ids)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])
