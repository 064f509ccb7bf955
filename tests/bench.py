"""`make bench`: the product measured against the bare engine it runs on, side by side in one run.

Everything runs as OS processes on this machine against one Temporal dev server: the product as
`alur api` + `alur worker` over real HTTP, the bare side as a Temporal worker of a chain of the same
shape (tests/bench_bare_workflow.py) and a bare FastAPI route under uvicorn (tests/bench_bare.py).
Product and bare runs alternate, so both see the same machine; the figures that count are the ratios.

  (a) jathil-vendor end to end (start + verify + approve, each returning after the projection is
      written; one applicant account per case) against the bare chain (start, then two updates, each
      returning after a local activity wrote one row): throughput ratio at each concurrency.
  (b) decision latency p50 / p99 against a bare update.
  (c) GET /api/v1/cases/{id} p99 against the bare route reading the same row of the same database.
  (d) with ALUR_BENCH_OPEN_CASES open cases (seeded rows plus ALUR_BENCH_OPEN_WORKFLOWS real workflows):
      inbox and list p99, and the worker's RSS.

Sizes (environment): ALUR_BENCH_CASES (cases per concurrency level and round, default 40; at least
2 x the concurrency), ALUR_BENCH_CONCURRENCY ("1,8,32"), ALUR_BENCH_ROUNDS (2), ALUR_BENCH_POLLS (600
per side), ALUR_BENCH_OPEN_CASES (10000), ALUR_BENCH_OPEN_WORKFLOWS (500), ALUR_BENCH_READS (200 inbox
and list requests each), ALUR_BENCH_DIR (keep the run's files and logs there instead of a temp dir).
"""

import asyncio
import itertools
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session, select
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.config import Settings
from core.db import engine_for, migrate
from core.models import Case, Task, User
from core.security import ACCESS, hash_password, make_token
from core.temporal import binary, dev_server_flags
from tests.utils.factories import PASSWORD, jathil_vendor_form
from workflows import SOPS
from workflows.sop import APPLICANT

ROOT = Path(__file__).resolve().parents[1]
PIDS: dict[str, int] = {}  # the processes whose CPU time each run counts, by name
SOP = "jathil-vendor"
DECISIONS = (("admin_bidang", "verify", "forward"), ("admin_utama", "approve", "approve"))
BARE_QUEUE = "bare"


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass(frozen=True)
class Sizes:
    cases: int = env_int("ALUR_BENCH_CASES", 40)
    levels: tuple[int, ...] = tuple(int(c) for c in os.environ.get("ALUR_BENCH_CONCURRENCY", "1,8,32").split(","))
    rounds: int = env_int("ALUR_BENCH_ROUNDS", 2)
    polls: int = env_int("ALUR_BENCH_POLLS", 600)
    open_cases: int = env_int("ALUR_BENCH_OPEN_CASES", 10_000)
    open_workflows: int = env_int("ALUR_BENCH_OPEN_WORKFLOWS", 500)
    reads: int = env_int("ALUR_BENCH_READS", 200)

    def per_level(self, concurrency: int) -> int:
        return max(self.cases, 2 * concurrency)

    def applicants(self) -> int:
        return self.rounds * sum(self.per_level(c) for c in self.levels) + self.open_workflows + 16


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


# ---- the parts, as processes --------------------------------------------------------------------


class Processes:
    """Every process the bench starts, stopped at the end (SIGTERM, then SIGKILL)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        with (self.directory / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        self.started.append(process)
        return process

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")


def rss_mib(pid: int) -> tuple[float, float]:
    """(current, peak) resident set of a process, MiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found.get("VmRSS", 0.0), found.get("VmHWM", 0.0)


async def answering(url: str, seconds: float = 60) -> None:
    async with httpx.AsyncClient() as http:
        deadline = time.monotonic() + seconds
        while True:
            try:
                await http.get(url, timeout=2)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


# ---- accounts and seeded rows -------------------------------------------------------------------


@dataclass
class People:
    applicants: Iterator[tuple[int, str]]  # (user id, bearer token), one per case
    staff: dict[str, str]  # role -> bearer token (Ponorogo)


def add_people(engine: Any, secret: str, applicants: int) -> People:
    """Accounts in one transaction (one password hash for all), tokens signed as the API signs them."""
    hashed = hash_password(PASSWORD)
    tag = secrets.token_hex(3)
    with Session(engine) as session:
        users = [User(email=f"bench-umkm-{tag}-{n}@contoh.id", name=f"UMKM {n}", role="umkm", password_hash=hashed,
                      verified=True) for n in range(applicants)]
        staff = {role: User(email=f"bench-{role}-{tag}@contoh.id", name=role, role=role, agency="ponorogo",
                            password_hash=hashed, verified=True) for role, _, _ in DECISIONS}
        session.add_all([*users, *staff.values()])
        session.commit()
        ids = [u.id for u in users]
        staff_ids = {role: u.id for role, u in staff.items()}

    def token(user_id: int | None) -> str:
        return "Bearer " + make_token(secret, ACCESS, user_id or 0, 0)

    return People(applicants=iter([(i or 0, token(i)) for i in ids]),
                  staff={role: token(i) for role, i in staff_ids.items()})


def first_staff_step(sop: str) -> Any:
    return next((s for s in SOPS[sop].steps if s.role != APPLICANT), SOPS[sop].steps[0])


def seed_open_cases(engine: Any, count: int) -> None:
    """`count` open cases with one open task each, spread over every SOP (and so every agency) and over
    a year: the rows a busy projection holds, written directly (no workflow behind them)."""
    if count <= 0:
        return
    now = datetime.now(timezone.utc)
    rng = random.Random(11)
    sops = sorted(SOPS)
    cases, tasks = [], []
    for n in range(count):
        sop = sops[n % len(sops)]
        definition, step = SOPS[sop], first_staff_step(sop)
        case_id = f"{sop}-2001-{n:06d}"  # a year no counter draws
        started = now - timedelta(minutes=rng.randrange(1, 365 * 24 * 60))
        due = started + timedelta(days=rng.choice((1, 2, 5, 10)))
        cases.append({"id": case_id, "sop": sop, "agency": definition.agency, "tracking_code": f"SEED{n:08d}",
                      "applicant_id": None, "applicant_name": f"Pemohon {n}", "title": f"Usaha {n}",
                      "status": "open", "stage": step.stage, "data": {"business_name": f"Usaha {n}"},
                      "overdue": due < now, "version": 1, "created_at": started, "updated_at": started})
        tasks.append({"case_id": case_id, "agency": definition.agency, "step": step.id, "title": step.title,
                      "role": step.role, "assignee_id": None, "queue": None,
                      "actions": [a.id for a in step.actions], "started_at": started, "due_at": due,
                      "overdue": due < now})
    with engine.begin() as connection:
        connection.execute(Case.__table__.insert(), cases)  # type: ignore[attr-defined]
        connection.execute(Task.__table__.insert(), tasks)  # type: ignore[attr-defined]


# ---- the two sides ------------------------------------------------------------------------------


@dataclass
class Timings:
    start: list[float] = field(default_factory=list)
    decision: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    cases: int = 0
    cpu: dict[str, float] = field(default_factory=dict)  # process -> CPU seconds used during the runs

    def add(self, other: "Timings") -> None:
        self.start += other.start
        self.decision += other.decision
        self.elapsed += other.elapsed
        self.cases += other.cases
        for name, used in other.cpu.items():
            self.cpu[name] = self.cpu.get(name, 0.0) + used

    def cpu_per_case(self) -> str:
        return ", ".join(f"{name} {used / self.cases * 1000:.0f}" for name, used in self.cpu.items() if used > 0.005)

    @property
    def rate(self) -> float:
        return self.cases / self.elapsed if self.elapsed else 0.0


async def timed(timings: Timings, concurrency: int, count: int, one: Callable[[Timings], Awaitable[None]]) -> None:
    limit = asyncio.Semaphore(concurrency)

    async def guarded() -> None:
        async with limit:
            await one(timings)

    before = {name: cpu_seconds(pid) for name, pid in PIDS.items()}
    began = time.perf_counter()
    await asyncio.gather(*(guarded() for _ in range(count)))
    timings.elapsed += time.perf_counter() - began
    timings.cases += count
    # The product's notices go on after its cases: their CPU counts for the run, their time for nobody
    # (not for the run that follows).
    await quiet()
    for name, pid in PIDS.items():
        timings.cpu[name] = timings.cpu.get(name, 0.0) + cpu_seconds(pid) - before[name]


class Product:
    """jathil-vendor over HTTP against `alur api` + `alur worker`."""

    def __init__(self, http: httpx.AsyncClient, people: People) -> None:
        self.http, self.people = http, people
        self.cases: list[tuple[str, str]] = []  # (case id, the applicant's token)

    async def start(self, timings: Timings | None = None) -> str:
        _, token = next(self.people.applicants)
        began = time.perf_counter()
        response = await self.http.post(f"/api/v1/sops/{SOP}/cases", json=jathil_vendor_form(),
                                         headers={"Authorization": token})
        assert response.status_code == 201, response.text
        if timings is not None:
            timings.start.append(time.perf_counter() - began)
        case_id = response.json()["id"]
        self.cases.append((case_id, token))
        return case_id

    async def one(self, timings: Timings) -> None:
        case_id = await self.start(timings)
        for role, step, action in DECISIONS:
            began = time.perf_counter()
            response = await self.http.post(f"/api/v1/cases/{case_id}/decisions", json={"step": step, "action": action},
                                             headers={"Authorization": self.people.staff[role]})
            assert response.status_code == 200, response.text
            timings.decision.append(time.perf_counter() - began)


class Bare:
    """The bare chain straight on the Temporal client."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.ids = (f"bare-{secrets.token_hex(4)}-{n}" for n in itertools.count())

    async def one(self, timings: Timings) -> None:
        began = time.perf_counter()
        handle = await self.client.start_workflow("bare-chain", next(self.ids), id=next(self.ids), task_queue=BARE_QUEUE)
        timings.start.append(time.perf_counter() - began)
        for _, step, _ in DECISIONS:
            began = time.perf_counter()
            await handle.execute_update("decide", step, result_type=int)
            timings.decision.append(time.perf_counter() - began)


async def quiet(seconds: float = 15.0) -> None:
    """Waits until the workers and Temporal are idle (background work of the previous run done)."""
    names = [n for n in ("worker", "bare-worker", "temporal") if n in PIDS]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = sum(cpu_seconds(PIDS[n]) for n in names)
        await asyncio.sleep(0.25)
        if sum(cpu_seconds(PIDS[n]) for n in names) - before < 0.02:
            return


# ---- the run ------------------------------------------------------------------------------------


@dataclass
class Verdicts:
    rows: list[tuple[str, str, str, bool]] = field(default_factory=list)

    def add(self, figure: str, measured: str, goal: str, passed: bool) -> str:
        self.rows.append((figure, measured, goal, passed))
        return f"{measured}   goal {goal}   {'PASS' if passed else 'FAIL'}"


def latency_line(name: str, product: list[float], bare: list[float]) -> str:
    return (f"    {name:9s} p50 {ms(statistics.median(product)):>9s} vs {ms(statistics.median(bare)):>9s}"
            f" ({statistics.median(product) / statistics.median(bare):.2f}x)   p99 {ms(percentile(product, 99)):>9s}"
            f" vs {ms(percentile(bare, 99)):>9s} ({percentile(product, 99) / percentile(bare, 99):.2f}x)")


async def throughput(product: Product, bare: Bare, sizes: Sizes, verdicts: Verdicts) -> None:
    print(f"(a) throughput, jathil-vendor over HTTP vs the bare chain, {sizes.rounds} alternating rounds")
    for concurrency in sizes.levels:
        count = sizes.per_level(concurrency)
        sides = {"product": Timings(), "bare": Timings()}
        for round_ in range(sizes.rounds):
            order = ("bare", "product") if round_ % 2 else ("product", "bare")
            for side in order:
                run = Timings()
                await timed(run, concurrency, count, product.one if side == "product" else bare.one)
                sides[side].add(run)
        p, b = sides["product"], sides["bare"]
        ratio = p.rate / b.rate
        line = f"  concurrency {concurrency:2d}: {p.rate:5.1f} vs {b.rate:5.1f} cases/s, ratio {ratio:.2f}"
        if concurrency == 8:
            line += "   " + verdicts.add("(a) throughput ratio, concurrency 8", f"{ratio:.2f}", "≥ 0.8", ratio >= 0.8)
        print(line)
        print(latency_line("start", p.start, b.start))
        print(latency_line("decision", p.decision, b.decision))
        print(f"    CPU ms per case: product {p.cpu_per_case()}; bare {b.cpu_per_case()}")
        if concurrency == 8:
            p50 = statistics.median(p.decision) / statistics.median(b.decision)
            p99 = percentile(p.decision, 99) / percentile(b.decision, 99)
            decision_lines = (
                "(b) decision latency against a bare update, concurrency 8",
                f"  p50 {ms(statistics.median(p.decision))} vs {ms(statistics.median(b.decision))}: "
                + verdicts.add("(b) decision p50 ratio, concurrency 8", f"{p50:.2f}x", "≤ 1.3x", p50 <= 1.3),
                f"  p99 {ms(percentile(p.decision, 99))} vs {ms(percentile(b.decision, 99))}: "
                + verdicts.add("(b) decision p99 ratio, concurrency 8", f"{p99:.2f}x", "≤ 1.3x", p99 <= 1.3),
            )
    if 8 in sizes.levels:
        print("\n".join(decision_lines))


async def polls(http: httpx.AsyncClient, bare_url: str, product: Product, sizes: Sizes, verdicts: Verdicts) -> None:
    """Sequential GETs of the same case rows, in alternating blocks of 50."""
    cases = product.cases[-50:]
    sides: dict[str, list[float]] = {"product": [], "bare": [], "etag": []}
    etags: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=bare_url) as bare_http:
        while len(sides["product"]) < sizes.polls:
            for side in ("product", "bare", "etag"):
                for case_id, token in cases:
                    headers = {"Authorization": token}
                    if side == "etag" and case_id in etags:
                        headers["If-None-Match"] = etags[case_id]
                    began = time.perf_counter()
                    if side == "bare":
                        response = await bare_http.get(f"/bare/cases/{case_id}")
                    else:
                        response = await http.get(f"/api/v1/cases/{case_id}", headers=headers)
                    sides[side].append(time.perf_counter() - began)
                    assert response.status_code in (200, 304), response.text
                    if "etag" in response.headers:
                        etags[case_id] = response.headers["etag"]
    p99 = percentile(sides["product"], 99) / percentile(sides["bare"], 99)
    print("(c) status poll GET /api/v1/cases/{id} vs a bare FastAPI route reading the same row, sequential")
    print(f"  p50 {ms(statistics.median(sides['product']))} vs {ms(statistics.median(sides['bare']))};"
          f" p99 {ms(percentile(sides['product'], 99))} vs {ms(percentile(sides['bare'], 99))}: "
          + verdicts.add("(c) status poll p99 ratio", f"{p99:.2f}x", "≤ 1.5x", p99 <= 1.5))
    if etags:
        print(f"  with If-None-Match (304): p50 {ms(statistics.median(sides['etag']))},"
              f" p99 {ms(percentile(sides['etag'], 99))} ({percentile(sides['etag'], 99) / percentile(sides['bare'], 99):.2f}x bare)")


async def open_load(http: httpx.AsyncClient, product: Product, engine: Any, worker_pid: int, sizes: Sizes,
                    verdicts: Verdicts) -> None:
    began = time.perf_counter()
    await asyncio.to_thread(seed_open_cases, engine, sizes.open_cases - sizes.open_workflows)
    seeded = time.perf_counter() - began
    started = Timings()

    async def start(timings: Timings) -> None:
        await product.start(timings)

    await timed(started, 16, sizes.open_workflows, start)
    with Session(engine) as session:
        open_count = len(session.exec(select(Case.id).where(Case.status == "open")).all())
    print(f"(d) {open_count} open cases ({sizes.open_cases - sizes.open_workflows} seeded rows in {seeded:.1f} s,"
          f" {sizes.open_workflows} workflows started at {started.rate:.1f}/s)")
    staff = product.people.staff["admin_bidang"]
    reads = (("inbox", "/api/v1/tasks?page=1", sizes.reads), ("list", "/api/v1/cases", sizes.reads),
             ("whole inbox", "/api/v1/tasks", max(5, sizes.reads // 10)))
    for name, path, count in reads:
        times, size, total = [], 0, ""
        for _ in range(count):
            t0 = time.perf_counter()
            response = await http.get(path, headers={"Authorization": staff})
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200, response.text
            size = len(response.content)
            total = response.headers.get("x-total-count") or str(response.json().get("total", ""))
        p99 = percentile(times, 99)
        head = (f"  {name} GET {path} (admin_bidang, Ponorogo: {total} rows, {size // 1024} KiB):"
                f" p50 {ms(statistics.median(times))}, p99 ")
        if name == "whole inbox":  # no goal: the unpaged inbox grows with the agency's open steps
            print(head + ms(p99) + "   (not a goal: every open step in one answer)")
        else:
            print(head + verdicts.add(f"(d) {name} p99 (first page)", ms(p99), "≤ 50 ms", p99 <= 0.050))
    current, peak = rss_mib(worker_pid)
    print(f"  worker RSS {current:.0f} MiB (peak {peak:.0f} MiB): "
          + verdicts.add("(d) worker RSS", f"{current:.0f} MiB", "≤ 400 MB", current * 1.048576 <= 400))


async def bench(directory: Path, sizes: Sizes) -> Verdicts:
    for name in ("alur.db", "alur.db-wal", "alur.db-shm", "bare.db", "bare.db-wal", "bare.db-shm"):
        (directory / name).unlink(missing_ok=True)  # a kept directory: every run starts empty
    url = f"sqlite:///{directory / 'alur.db'}"
    bare_url_db = f"sqlite:///{directory / 'bare.db'}"
    migrate(url)
    engine = engine_for(url)
    secret = secrets.token_urlsafe(32)
    people = add_people(engine, secret, sizes.applicants())
    processes = Processes(directory)
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=binary("temporal"),
                                                dev_server_extra_args=dev_server_flags(), ui=False)
    verdicts = Verdicts()
    try:
        async with env:
            address = env.client.service_client.config.target_host
            smtp, api_port, bare_port = free_port(), free_port(), free_port()
            settings = Settings(env="test", database_url=url, temporal_address=address, task_queue="bench",
                                smtp_host="127.0.0.1", smtp_port=smtp, secret_key=secret,
                                var_dir=directory / "var", upload_dir=directory / "uploads")
            alur_env = {k: v for k, v in os.environ.items() if not k.startswith("ALUR_")}
            alur_env.update({f"ALUR_{k.upper()}": str(v) for k, v in settings.model_dump().items()
                             if k in ("env", "database_url", "temporal_address", "task_queue", "smtp_host",
                                      "smtp_port", "secret_key", "var_dir", "upload_dir")})
            python, alur = sys.executable, str(Path(sys.executable).parent / "alur")
            processes.start("sink", [python, "-m", "tests.bench_bare", "sink", str(smtp), str(directory / "mail.jsonl")])
            worker = processes.start("worker", [alur, "worker"], env=alur_env)
            processes.start("api", [alur, "api", "--host", "127.0.0.1", "--port", str(api_port)], env=alur_env)
            processes.start("bare-worker", [python, "-m", "tests.bench_bare", "worker", address, BARE_QUEUE, bare_url_db])
            processes.start("bare-api", [python, "-m", "tests.bench_bare", "api", str(bare_port), url])
            api, bare_worker = processes.started[2], processes.started[3]
            server = next(pid for pid in children(os.getpid()) if "start-dev" in command_line(pid))
            PIDS.update({"api": api.pid, "worker": worker.pid, "bare-worker": bare_worker.pid, "temporal": server,
                         "bench": os.getpid()})
            api_url, bare_url = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{bare_port}"
            await answering(f"{api_url}/api/v1/sops")
            await answering(f"{bare_url}/docs")
            limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
            async with httpx.AsyncClient(base_url=api_url, limits=limits, timeout=60) as http:
                product, bare = Product(http, people), Bare(env.client)
                warm = Timings()
                await timed(warm, 4, 8, product.one)  # imports, caches and connections: not measured
                await timed(warm, 4, 8, bare.one)
                await throughput(product, bare, sizes, verdicts)
                await polls(http, bare_url, product, sizes, verdicts)
                await open_load(http, product, engine, worker.pid, sizes, verdicts)
    finally:
        processes.stop()
    return verdicts


def main() -> None:
    sizes = Sizes()
    print(f"Alur bench: {os.cpu_count()} cores, SQLite, Temporal dev server; product = `alur api` + `alur worker`"
          f" over HTTP, bare = Temporal chain + bare FastAPI route; sizes {sizes}")
    kept = os.environ.get("ALUR_BENCH_DIR")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        verdicts = asyncio.run(bench(Path(kept), sizes))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            verdicts = asyncio.run(bench(Path(tmp), sizes))
    print(f"\nsummary ({os.cpu_count()} cores)")
    for figure, measured, goal, passed in verdicts.rows:
        print(f"  {figure:45s} {measured:>10s}   goal {goal:8s} {'PASS' if passed else 'FAIL'}")


if __name__ == "__main__":
    main()
