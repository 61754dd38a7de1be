"""Load benchmark: simulated agents and clerks against the production run on PostgreSQL.

    .venv/bin/python bench/load.py                          # 200 agents, 60 s mixed + 20 s filing
    .venv/bin/python bench/load.py --agents 50 --seconds 20 --filing-seconds 10   # a quick run

What it starts (all private, on free ports, removed afterwards): a PostgreSQL
cluster (``initdb`` in a temporary folder), a ``redis-server`` (or a RabbitMQ node
with ``--broker rabbitmq``), ``tongban serve --workers N --json-logs`` (migrations and
the demo site are loaded by ``serve``) and one ``tongban worker`` on that broker — the
processes ``deploy/`` describes,
started by the helpers the fault tests use (``tests/faults/support.py``).

Then, each simulated user with its own httpx client and session cookie:

1. **Mixed load** (``--seconds``): ``--agents`` village agents (the demo's
   ``agent`` account, one session each) loop over a realistic mix with a random
   think time — workbench, guide and case pages, catalogue searches, filing a
   case (the resident's tablet consent, then the workbench form posted as
   multipart with a JPEG of the ID card) and public status look-ups by tracking
   code — while ``--clerks`` window clerks (the ``clerk`` account) accept the
   filed cases (case page, then the accept action) and open their desk when
   nothing waits. Prints count, throughput and p50/p95/p99 latency per action,
   and the p99 of all page loads.
2. **Filing throughput** (``--filing-seconds``): ``--filers`` agents file back to
   back, no think time (consent + form with upload per filing).
3. **Bare baseline** (same seconds, same concurrency): an asyncpg script performs
   the same database writes per filing — the authorisation row, the two upload
   rows, then in one transaction the tracking-code sequence, the case, its
   state update, the submit event, the outbox message, the acceptance task, and
   binding the authorisation and the upload to the case — with nothing else:
   no HTTP, no templates, no validation, no reads. Prints both throughputs, the
   rows each wrote per filing (counted in the database, so the comparison is of
   like with like) and the ratio: the framework's overhead.

The load generator runs on the same machine as the servers and takes CPU from
them; its share is printed. The outbox's follow-up work (relay, reports
counting in the worker) is asynchronous in the app and not part of the
baseline; the time the outbox takes to drain after the filing phase is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import io
import itertools
import json
import os
import random
import re
import secrets
import shutil
import sys
import tempfile
import time
import tomllib
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.support import (  # noqa: E402
    PrivatePostgres,
    PrivateRabbitmq,
    PrivateRedis,
    free_port,
    site_env,
    start_server,
    start_worker,
)

PENSION = "000115002000"  # 城乡居民基本养老保险参保登记: an agent may file it, an ID card photo
VILLAGE = "509910101201"
SEARCHES = ["养老", "社保", "户口", "医保", "证明", "登记", "残疾", "低保", "pension", "出生"]
PASSWORDS = {
    s["username"]: s["password"]
    for s in tomllib.loads((ROOT / "sites/demo/site.toml").read_text())["staff"]
}
_serial = itertools.count(1)


# -- test material ------------------------------------------------------------------------


def id_number() -> str:
    """A valid, unused resident ID number (GB 11643 check character)."""
    from stdnum.cn import ric

    n = next(_serial)
    birth = f"19{50 + n % 45:02d}{1 + n % 12:02d}{1 + n % 28:02d}"
    base = f"5001{10 + n // 1000 % 90:02d}{birth}{n % 1000:03d}"
    return base + ric.calc_check_digit(base + "0")


def phone() -> str:
    return f"139{random.randrange(10**8):08d}"


def _jpeg() -> bytes:
    """An ID-card-sized phone photo (~20 KB), what the tablet camera sends."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1024, 640), (235, 230, 220))
    pen = ImageDraw.Draw(image)
    for y in range(40, 640, 24):
        pen.line([(40, y), (980, y + random.randrange(-6, 6))], fill=(60, 60, 90), width=2)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _signature() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (480, 160), (0, 0, 0, 0))
    ImageDraw.Draw(image).line(
        [(30, 120), (120, 40), (200, 110), (300, 50), (440, 100)], fill="black", width=4
    )
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


PHOTO = b""
SIGNATURE = b""


# -- measuring ----------------------------------------------------------------------------


class Stats:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)

    async def timed(self, action: str, request, ok=lambda r: r.status_code < 400):
        """Await ``request`` (a coroutine not yet started) and record its latency."""
        started = time.perf_counter()
        try:
            response = await request
        except httpx.HTTPError as exc:
            self.errors[action].append(f"{type(exc).__name__}: {exc}"[:200])
            return None
        elapsed = time.perf_counter() - started
        if not ok(response):
            self.errors[action].append(f"{response.status_code} {response.url}")
            return None
        self.samples[action].append(elapsed)
        return response


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]


def report(stats: Stats, seconds: float, title: str) -> None:
    print(f"\n{title}")
    print(
        f"  {'action':<34} {'count':>7} {'per s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}"
    )
    for action in sorted(set(stats.samples) | set(stats.errors)):
        values = stats.samples.get(action, [])
        errors = len(stats.errors.get(action, []))
        if values:
            p50, p95, p99 = (percentile(values, s) * 1000 for s in (0.5, 0.95, 0.99))
            print(
                f"  {action:<34} {len(values):>7,} {len(values) / seconds:>7.1f} {p50:>8.0f} "
                f"{p95:>8.0f} {p99:>8.0f} {errors:>7}"
            )
        else:
            print(f"  {action:<34} {0:>7} {0:>7.1f} {'-':>8} {'-':>8} {'-':>8} {errors:>7}")
    for action, errors in stats.errors.items():
        for error in errors[:3]:
            print(f"    ! {action}: {error}")


# -- simulated users ----------------------------------------------------------------------


class User:
    """One browser: its own connection and session cookie, CSRF token like the pages send."""

    def __init__(self, base: str, username: str):
        self.username = username
        self.client = httpx.AsyncClient(
            base_url=base, timeout=120, limits=httpx.Limits(max_connections=2)
        )
        self.residents: list[dict] = []
        self.cases: list[int] = []

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("tongban_csrf", "")

    async def login(self) -> None:
        await self.client.get("/login")
        response = await self.client.post(
            "/login",
            data={
                "username": self.username,
                "password": PASSWORDS[self.username],
                "_csrf_token": self.csrf,
            },
            follow_redirects=True,
        )
        if response.status_code != 200 or "/login" in str(response.url):
            raise RuntimeError(f"login of {self.username} failed: {response.status_code}")

    async def post(self, url: str, data: dict, files: dict | None = None) -> httpx.Response:
        return await self.client.post(
            url,
            data={**data, "_csrf_token": self.csrf},
            files=files,
            headers={"x-csrftoken": self.csrf},
            follow_redirects=True,
        )

    async def register_resident(self) -> None:
        person = {"name": "张" + random.choice("一二三四五六七八九"), "id_number": id_number(),
                  "phone": phone()}  # fmt: skip
        response = await self.post("/workbench/residents/new", person)
        match = re.search(r"/workbench/residents/(\d+)", str(response.url))
        if response.status_code != 200 or not match:
            raise RuntimeError(f"registering a resident failed: {response.status_code}")
        self.residents.append({"id": int(match.group(1)), "last4": person["phone"][-4:]})

    async def file(self, stats: Stats, shared: Shared) -> bool:
        """Consent on the tablet, then the form with the ID card photo: one filing."""
        resident = random.choice(self.residents)
        data_url = "data:image/png;base64," + base64.b64encode(SIGNATURE).decode()
        consent = await stats.timed(
            "file: 1 consent (tablet)",
            self.post(
                f"/workbench/residents/{resident['id']}/consent",
                {"method": "tablet", "signature": data_url},
            ),
            ok=lambda r: r.status_code == 200 and "consented=1" in str(r.url),
        )
        if consent is None:
            return False
        form = {
            "contribution_grade": "500",
            "household_address.unit": VILLAGE,
            "household_address.detail": "三组12号",
            "remark": "",
            "_idempotency_key": uuid.uuid4().hex,
        }
        filed = await stats.timed(
            "file: 2 form + upload (multipart)",
            self.post(
                f"/workbench/residents/{resident['id']}/file/{PENSION}/",
                form,
                files={"upload.id_card": ("id_card.jpg", PHOTO, "image/jpeg")},
            ),
            ok=lambda r: r.status_code == 200 and "/receipt" in str(r.url),
        )
        if filed is None:
            return False
        case_id = int(str(filed.url).split("/cases/")[1].split("/")[0])
        code = re.search(r'class="code big">([0-9X]{18})<', filed.text)
        self.cases.append(case_id)
        shared.to_accept.put_nowait(case_id)
        if code:
            shared.codes.append((code.group(1), resident["last4"]))
        return True


class Shared:
    def __init__(self, items: list[str]):
        self.items = items
        self.to_accept: asyncio.Queue[int] = asyncio.Queue()
        self.codes: list[tuple[str, str]] = []


async def agent_loop(user: User, stats: Stats, shared: Shared, until: float, think: float):
    page = lambda r: r.status_code == 200  # noqa: E731
    actions = [
        ("workbench", 25), ("guide", 15), ("case", 15), ("search", 15), ("status", 15),
        ("file", 15),
    ]  # fmt: skip
    names, weights = zip(*actions, strict=True)
    await asyncio.sleep(random.uniform(0, think * 2))  # do not all start in step
    while time.monotonic() < until:
        action = random.choices(names, weights)[0]
        if action == "workbench":
            await stats.timed("page: agent workbench", user.client.get("/workbench/"), page)
        elif action == "guide":
            code = random.choice(shared.items)
            await stats.timed("page: service guide", user.client.get(f"/guide/{code}"), page)
        elif action == "case" and user.cases:
            case_id = random.choice(user.cases)
            await stats.timed(
                "page: case (agent)", user.client.get(f"/workbench/cases/{case_id}"), page
            )
        elif action == "search":
            q = random.choice(SEARCHES)
            await stats.timed(
                "search: catalogue", user.client.get("/guide/", params={"q": q}), page
            )
        elif action == "status" and shared.codes:
            code, last4 = random.choice(shared.codes)
            await stats.timed(
                "status look-up (public)",
                user.client.get("/status/", params={"code": code, "last4": last4}),
                lambda r, code=code: r.status_code == 200 and code in r.text,
            )
        else:  # "file", and the first actions before anything was filed
            await user.file(stats, shared)
        await asyncio.sleep(random.expovariate(1 / think) if think else 0)


async def clerk_loop(user: User, stats: Stats, shared: Shared, until: float, think: float):
    page = lambda r: r.status_code == 200  # noqa: E731
    while time.monotonic() < until:
        try:
            case_id = shared.to_accept.get_nowait()
        except asyncio.QueueEmpty:
            await stats.timed("page: clerk desk", user.client.get("/desk/"), page)
            await asyncio.sleep(random.expovariate(1 / think) if think else 0)
            continue
        await stats.timed("page: case (clerk)", user.client.get(f"/cases/{case_id}"), page)
        await stats.timed(
            "clerk: accept",
            user.post(f"/cases/{case_id}/act", {"action": "accept"}),
            page,
        )
        await asyncio.sleep(random.expovariate(1 / think) if think else 0)


async def filer_loop(user: User, stats: Stats, shared: Shared, until: float, done: list):
    while time.monotonic() < until:
        if await user.file(stats, shared):
            done.append(time.monotonic())


# -- the bare baseline --------------------------------------------------------------------

FILING_TABLES = [
    "signing_authorisation", "catalog_upload", "materials_upload", "cases_case", "cases_event",
    "jobs_outbox", "cases_task",
]  # fmt: skip


async def row_counts(connection) -> dict[str, int]:
    counts = {t: await connection.fetchval(f"SELECT count(*) FROM {t}") for t in FILING_TABLES}
    # Statements sent to the server: each of Piccolo's queries outside a transaction is one
    # transaction of its own. The statistics are flushed when a backend goes idle (≤1 s).
    await asyncio.sleep(1.5)
    counts["_transactions"] = await connection.fetchval(
        "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
    )
    return counts


async def bare_filings(url: str, concurrency: int, seconds: float) -> int:
    """What a filing writes, written directly with asyncpg: the framework's floor."""
    import asyncpg

    pool = await asyncpg.create_pool(url, min_size=concurrency, max_size=concurrency)
    async with pool.acquire() as c:
        ids = await c.fetchrow(
            """SELECT (SELECT id FROM tenancy_staff WHERE username = 'agent') AS staff,
                      (SELECT id FROM tenancy_unit WHERE code = $1) AS unit,
                      (SELECT path FROM tenancy_unit WHERE code = $1) AS path,
                      (SELECT id FROM tenancy_unit WHERE code = '509910101000-BM') AS window,
                      (SELECT max(id) FROM catalog_item_version WHERE code = $2) AS version,
                      (SELECT max(id) FROM residents_resident) AS resident""",
            VILLAGE,
            PENSION,
        )
    image_sha = hashlib.sha256(SIGNATURE).hexdigest()
    photo_sha = hashlib.sha256(PHOTO).hexdigest()
    data_enc = base64.urlsafe_b64encode(secrets.token_bytes(180)).decode()
    count = 0
    until = time.monotonic() + seconds

    async def one(c) -> None:
        now = time.time()
        import datetime as dt

        at = dt.datetime.fromtimestamp(now, dt.UTC)
        auth = await c.fetchval(
            'INSERT INTO "signing_authorisation" ("resident_hash","resident_name","agent","unit",'
            '"item_code","method","mime","image","image_sha256","created_at","expires_at","case",'
            '"bound_at") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,NULL,NULL) RETURNING "id"',
            secrets.token_hex(32), "王五", ids["staff"], ids["unit"], "", "tablet", "image/png",
            SIGNATURE, image_sha, at, at + dt.timedelta(days=30),
        )  # fmt: skip
        token = "u" + secrets.token_urlsafe(24)
        await c.execute(
            'INSERT INTO "catalog_upload" ("token","staff","filename","content_type","size",'
            '"sha256","created_at") VALUES ($1,$2,$3,$4,$5,$6,$7)',
            token, ids["staff"], "id_card.jpg", "image/jpeg", len(PHOTO), photo_sha, at,
        )  # fmt: skip
        await c.execute(
            'INSERT INTO "materials_upload" ("public_id","sha256","content_type","size","filename",'
            '"width","height","pages","has_thumb","purpose","material_code","uploaded_by","unit",'
            '"case","round","removed","created_at","attached_at") VALUES ($1,$2,$3,$4,$5,$6,$7,'
            "NULL,true,'material','id_card',$8,$9,NULL,0,false,$10,NULL)",
            token, photo_sha, "image/jpeg", len(PHOTO), "id_card.jpg", 1024, 640, ids["staff"],
            ids["unit"], at,
        )  # fmt: skip
        async with c.transaction():
            prefix = f"509910{at:%y%m%d}"
            last = await c.fetchval(
                "INSERT INTO cases_tracking_sequence (prefix, last) VALUES ($1, 1) ON CONFLICT "
                "(prefix) DO UPDATE SET last = cases_tracking_sequence.last + 1 RETURNING last",
                prefix,
            )
            code = f"{prefix}{last:05d}B"  # the app's shape; never one of its codes
            case_id = await c.fetchval(
                'INSERT INTO "cases_case" ("tracking_code","item_code","item_version","state",'
                '"outcome","resident","data_enc","channel","filed_unit","filed_by","accepting_unit",'
                '"scope_path","current_step","idempotency_key","fee_total","created_at",'
                '"updated_at","submitted_at","light","last_event_hash","event_count","limit_days")'
                " VALUES ($1,$2,$3,'draft','',$4,$5,'proxy',$6,$7,$8,$9,'accept',$10,'0',$11,$11,"
                "$11,'','',0,0) RETURNING \"id\"",
                code, PENSION, ids["version"], ids["resident"], data_enc, ids["unit"],
                ids["staff"], ids["window"], ids["path"], uuid.uuid4().hex, at,
            )  # fmt: skip
            payload = json.dumps(
                {"item_version": ids["version"], "authorisation": {"id": auth, "sha256": image_sha},
                 "tracking_code": code}, ensure_ascii=False,
            )  # fmt: skip
            digest = hashlib.sha256(f"{case_id}|1|submit|{payload}".encode()).hexdigest()
            await c.execute(
                'UPDATE "cases_case" SET "event_count" = 1, "last_event_hash" = $1, '
                '"updated_at" = $2, "state" = \'submitted\' WHERE "id" = $3 AND "event_count" = 0',
                digest, at, case_id,
            )  # fmt: skip
            await c.execute(
                'INSERT INTO "cases_event" ("case","seq","kind","from_state","to_state","actor",'
                '"actor_name","unit","at","reason","payload","prev_hash","hash") VALUES ($1,1,'
                "'submit','draft','submitted',$2,$3,$4,$5,'',$6,'',$7)",
                case_id, ids["staff"], "李代办（麻柳村）", ids["unit"], at, payload, digest,
            )  # fmt: skip
            # Marked sent: the relay must not hand the baseline's messages to the worker.
            await c.execute(
                'INSERT INTO "jobs_outbox" ("actor","payload","created_at","sent_at","attempts",'
                "\"last_error\") VALUES ('case_event',$1,$2,$2,0,'')",
                json.dumps({"seq": 1, "case_id": case_id}), at,
            )  # fmt: skip
            await c.execute(
                'INSERT INTO "cases_task" ("case","step_id","parent_step","unit","role","state",'
                '"outcome","opinion","created_at","due_on","silent","batch","signer","days",'
                "\"light\",\"light_changes_at\") VALUES ($1,'accept','',$2,'window_clerk','open',"
                "'','',$3,$4,false,1,false,1,'green',$5)",
                case_id, ids["window"], at, at.date() + dt.timedelta(days=1),
                at + dt.timedelta(hours=2),
            )  # fmt: skip
            await c.execute(
                'UPDATE "signing_authorisation" SET "case" = $1, "bound_at" = $2 '
                'WHERE "id" = $3 AND "case" IS NULL',
                case_id, at, auth,
            )  # fmt: skip
            await c.execute(
                'UPDATE "materials_upload" SET "case" = $1, "round" = 0, "attached_at" = $2 '
                'WHERE "public_id" = $3 AND "case" IS NULL',
                case_id, at, token,
            )  # fmt: skip

    async def loop() -> None:
        nonlocal count
        async with pool.acquire() as c:
            while time.monotonic() < until:
                await one(c)
                count += 1

    await asyncio.gather(*(loop() for _ in range(concurrency)))
    await pool.close()
    return count


# -- the run ------------------------------------------------------------------------------


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes (and their reaped children)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15]) / tick
    return total


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (PostgreSQL's backends are the postmaster's children)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        found.append(todo.pop())
        todo.extend(children.get(found[-1], ()))
    return found


class CpuMeter:
    """CPU seconds used by each party between two readings, per filing."""

    def __init__(self, parties: dict[str, object]) -> None:
        # name -> a function giving the pids to read now (None: this process)
        self.parties = parties
        self.start: dict[str, float] = {}

    def _read(self) -> dict[str, float]:
        return {
            name: time.process_time() if pids is None else cpu_seconds(pids())
            for name, pids in self.parties.items()
        }

    def begin(self) -> None:
        self.start = self._read()

    def per_item(self, count: int) -> dict[str, float]:
        """Milliseconds of CPU per item since :meth:`begin`, per party."""
        now = self._read()
        return {name: (now[name] - self.start[name]) / max(count, 1) * 1000 for name in now}


def cpu_line(per: dict[str, float]) -> str:
    return ", ".join(f"{name} {ms:.1f}" for name, ms in per.items()) + (
        f" (total {sum(per.values()):.1f}) ms"
    )


async def login_all(users: list[User], parallel: int = 4) -> None:
    # All simulated agents share the demo account: an account counts at most
    # MAX_FAILED_LOGINS attempts in flight at once (core.tenancy.auth), so stay below.
    gate = asyncio.Semaphore(parallel)

    async def one(user: User) -> None:
        async with gate:
            await user.login()
            if user.username == "agent":
                await user.register_resident()

    await asyncio.gather(*(one(u) for u in users))


async def scrape(base: str) -> dict[str, float]:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        text = (await client.get("/metrics")).text
    found = {}
    for line in text.splitlines():
        if line.startswith(("tongban_outbox", "tongban_cases_overdue", "tongban_queue_messages",
                            "tongban_dependency_up")):  # fmt: skip
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


async def run(args) -> None:
    global PHOTO, SIGNATURE
    import asyncpg

    PHOTO, SIGNATURE = _jpeg(), _signature()
    cluster = PrivatePostgres(max_connections=300)
    cluster.start()
    broker = PrivateRabbitmq() if args.broker == "rabbitmq" else PrivateRedis()
    broker.start()
    work = Path(tempfile.mkdtemp(prefix="tongban-load-"))
    server = worker = None
    try:
        url = cluster.create_database("tongban_load")
        env = site_env(url, broker.url, work / "var", TONGBAN_DB_POOL=str(args.pool))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        started = time.perf_counter()
        server = await asyncio.to_thread(start_server, env, port, work / "serve.log", args.workers)
        worker = start_worker(env, work / "worker.log", "--threads", "2")
        print(
            f"production run: tongban serve --workers {args.workers} (pool {args.pool} each) + "
            f"tongban worker, PostgreSQL {cluster.port}, {args.broker} {broker.port}; ready in "
            f"{time.perf_counter() - started:.0f}s; logs in {work}",
            flush=True,
        )
        async with httpx.AsyncClient(base_url=base) as anonymous:
            guide = (await anonymous.get("/guide/")).text
            ready = (await anonymous.get("/readyz")).json()
        items = sorted(set(re.findall(r'href="/guide/(\d{6,})', guide))) or [PENSION]
        print(f"readyz: {ready}; {len(items)} items in the guide", flush=True)

        agents = [User(base, "agent") for _ in range(args.agents)]
        clerks = [User(base, "clerk") for _ in range(args.clerks)]
        started = time.perf_counter()
        await login_all(agents + clerks)
        print(
            f"{len(agents)} agents and {len(clerks)} clerks logged in (each agent registered a "
            f"resident) in {time.perf_counter() - started:.0f}s",
            flush=True,
        )
        shared = Shared(items)
        app_pids = [server.pid, *server.children()]
        postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
        meter = CpuMeter(
            {
                "app": lambda: app_pids,
                "worker": lambda: process_tree(worker.pid),
                "PostgreSQL": lambda: process_tree(postmaster),
                "load generator": None,
            }
        )

        # 1. the mixed load
        load_before = os.getloadavg()[0]
        stats = Stats()
        cpu0, own0 = cpu_seconds(app_pids + [worker.pid]), time.process_time()
        until = time.monotonic() + args.seconds
        started = time.perf_counter()
        await asyncio.gather(
            *(agent_loop(a, stats, shared, until, args.think) for a in agents),
            *(clerk_loop(c, stats, shared, until, args.think) for c in clerks),
        )
        elapsed = time.perf_counter() - started
        server_cpu = cpu_seconds(app_pids + [worker.pid]) - cpu0
        own_cpu = time.process_time() - own0
        report(
            stats,
            elapsed,
            f"mixed load: {args.agents} agents + {args.clerks} clerks, think time "
            f"~{args.think:g}s (exponential), {elapsed:.0f}s, load average "
            f"{load_before:.1f} → {os.getloadavg()[0]:.1f}",
        )
        pages = [v for k, vs in stats.samples.items() if k.startswith("page:") for v in vs]
        if pages:
            print(
                f"  all page loads: {len(pages):,}, p50 {percentile(pages, 0.5) * 1000:.0f} ms, "
                f"p95 {percentile(pages, 0.95) * 1000:.0f} ms, "
                f"p99 {percentile(pages, 0.99) * 1000:.0f} ms under {args.agents} concurrent agents"
            )
        total = sum(len(v) for v in stats.samples.values())
        print(
            f"  {total / elapsed:.1f} requests/s in all; CPU: app + worker {server_cpu:.0f}s, "
            f"load generator {own_cpu:.0f}s of {elapsed * os.cpu_count():.0f}s on "
            f"{os.cpu_count()} cores"
        )
        metrics = await scrape(base)
        print(f"  /metrics after the mixed load: {metrics}")

        # 2. filing throughput through the app
        for a in agents:
            a.cases.clear()
        await drain_outbox(base, 120)
        filers = agents[: args.filers]
        connection = await asyncpg.connect(url)
        before = await row_counts(connection)
        stats = Stats()
        done: list[float] = []
        load_before = os.getloadavg()[0]
        meter.begin()
        until = time.monotonic() + args.filing_seconds
        started = time.perf_counter()
        await asyncio.gather(*(filer_loop(f, stats, shared, until, done) for f in filers))
        elapsed = time.perf_counter() - started
        app_rows = await row_counts(connection)
        app_rate = len(done) / elapsed
        report(
            stats,
            elapsed,
            f"filing only: {args.filers} agents filing back to back, {elapsed:.0f}s, load average "
            f"{load_before:.1f} → {os.getloadavg()[0]:.1f}",
        )
        drained = await drain_outbox(base, 300)
        print(f"  outbox drained {drained:.1f}s after the last filing")
        app_cpu = meter.per_item(len(done))  # read after the drain: the worker's share is in

        # 3. the bare baseline, same concurrency and time, nothing else running
        load_before = os.getloadavg()[0]
        bare_meter = CpuMeter({"PostgreSQL": meter.parties["PostgreSQL"], "bare script": None})
        bare_meter.begin()
        started = time.perf_counter()
        bare = await bare_filings(url, args.filers, args.filing_seconds)
        bare_elapsed = time.perf_counter() - started
        bare_cpu = bare_meter.per_item(bare)
        bare_rows = await row_counts(connection)
        await connection.close()
        bare_rate = bare / bare_elapsed
        filed = len(done)
        print(
            f"\nfiling throughput ({args.filers} concurrent; load average {load_before:.1f} "
            f"before the baseline)"
        )
        print(f"  {'':<34} {'filings':>8} {'per s':>8}   rows written per filing")
        per_app = {t: (app_rows[t] - before[t]) / max(filed, 1) for t in app_rows}
        per_bare = {t: (bare_rows[t] - app_rows[t]) / max(bare, 1) for t in app_rows}
        app_tx, bare_tx = per_app.pop("_transactions"), per_bare.pop("_transactions")
        print(f"  {'tongban (HTTP, consent + form)':<34} {filed:>8,} {app_rate:>8.1f}   "
              + ", ".join(f"{t} {n:.2f}" for t, n in per_app.items()))  # fmt: skip
        print(f"  {'bare asyncpg (same writes)':<34} {bare:>8,} {bare_rate:>8.1f}   "
              + ", ".join(f"{t} {n:.2f}" for t, n in per_bare.items()))  # fmt: skip
        print(
            f"  transactions per filing (pg_stat_database): tongban "
            f"{app_tx:.0f}, bare {bare_tx:.0f} "
            f"(the app's include the reads of the four requests: consent, resident page, "
            f"form, receipt page, and the worker's)"
        )
        print(f"  CPU per filing, tongban: {cpu_line(app_cpu)}")
        print(f"  CPU per filing, bare:    {cpu_line(bare_cpu)}")
        ratio = app_rate / bare_rate if bare_rate else 0
        print(
            f"  ratio: tongban / bare = {ratio:.1%} (target ≥ 50%: "
            f"{'met' if ratio >= 0.5 else 'missed'}); framework overhead ×{1 / ratio:.1f}"
            if ratio
            else "  ratio: no filings"
        )
        print(f"  /metrics at the end: {await scrape(base)}")
    finally:
        for user in locals().get("agents", []) + locals().get("clerks", []):
            await user.client.aclose()
        if worker is not None:
            code = worker.stop()
            print(f"worker stopped (SIGTERM) with exit code {code}")
        if server is not None:
            started = time.perf_counter()
            code = server.stop()
            print(
                f"server stopped (SIGTERM) with exit code {code} in "
                f"{time.perf_counter() - started:.1f}s"
            )
        broker.destroy()
        cluster.destroy()
        shutil.rmtree(work / "var", ignore_errors=True)  # the uploads; the logs stay


async def drain_outbox(base: str, timeout: float) -> float:
    """Wait until the outbox is empty and the queue has nothing ready; returns the wait."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        metrics = await scrape(base)
        lag = metrics.get("tongban_outbox_lag", 0)
        ready = sum(v for k, v in metrics.items() if "queue_messages" in k and "ready" in k)
        if lag == 0 and ready == 0:
            break
        await asyncio.sleep(0.5)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agents", type=int, default=200, help="concurrent agents (mixed load)")
    parser.add_argument("--clerks", type=int, default=4, help="window clerks accepting cases")
    parser.add_argument("--seconds", type=float, default=60, help="length of the mixed load")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time, seconds")
    parser.add_argument("--filers", type=int, default=16, help="agents in the filing phase")
    parser.add_argument("--filing-seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2, help="app processes (serve --workers)")
    parser.add_argument("--pool", type=int, default=10, help="database pool per app process")
    parser.add_argument(
        "--broker", choices=("redis", "rabbitmq"), default="redis",
        help="a private redis-server or RabbitMQ node for the worker",
    )  # fmt: skip
    args = parser.parse_args()
    args.filers = min(args.filers, args.agents)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
