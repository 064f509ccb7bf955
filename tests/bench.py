"""`make bench`: figures for speed and memory, printed, never asserted in the test suite.

Runs jathil-vendor cases and jathil-order COD orders end to end through the HTTP API (in-process ASGI)
against the Temporal dev server and a real worker, then times the working-time calendar.
"""

import asyncio
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from pathlib import Path

import httpx
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from api.main import create_app
from core.calendar import WorkingTime, default_calendar
from core.config import Settings
from core.db import engine_for, migrate
from core.temporal import binary, dev_server_flags
from tests.conftest import free_port
from tests.utils.factories import PASSWORD, jathil_vendor_form, make_user
from tests.utils.jathil import add_product, approve_seller, order_form
from worker import build_worker

CASES = 40
ORDERS = 24
CONCURRENCY = int(os.environ.get("ALUR_BENCH_CONCURRENCY", "8"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def token(http: httpx.AsyncClient, email: str) -> dict[str, str]:
    response = await http.post("/api/v1/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def one_case(http: httpx.AsyncClient, headers: dict[str, dict[str, str]], timings: dict[str, list[float]]) -> None:
    started = time.perf_counter()
    case = (await http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(),
                            headers=headers["umkm"])).json()
    timings["start"].append(time.perf_counter() - started)
    for role, step, action in (("admin_bidang", "verify", "forward"), ("admin_utama", "approve", "approve")):
        began = time.perf_counter()
        response = await http.post(f"/api/v1/cases/{case['id']}/decisions", json={"step": step, "action": action},
                                   headers=headers[role])
        assert response.status_code == 200, response.text
        timings["decision"].append(time.perf_counter() - began)
    timings["case"].append(time.perf_counter() - started)


async def decide(http: httpx.AsyncClient, headers: dict[str, str], case_id: str, step: str, action: str,
                 timings: dict[str, list[float]], **body: object) -> None:
    began = time.perf_counter()
    response = await http.post(f"/api/v1/cases/{case_id}/decisions", json={"step": step, "action": action, **body},
                               headers=headers)
    assert response.status_code == 200, response.text
    timings["decision"].append(time.perf_counter() - began)


async def one_order(http: httpx.AsyncClient, headers: dict[str, dict[str, str]], buyers: asyncio.Queue,
                    product: int, timings: dict[str, list[float]]) -> None:
    """A COD order: placed, verified, shipped, received, cash collected (one buyer account at a time:
    the API takes one start per account and SOP at a time)."""
    buyer = await buyers.get()
    started = time.perf_counter()
    try:
        response = await http.post("/api/v1/sops/jathil-order/cases", json=order_form(product, qty=1), headers=buyer)
    finally:
        buyers.put_nowait(buyer)
    assert response.status_code == 201, response.text
    case_id = response.json()["id"]
    timings["start"].append(time.perf_counter() - started)
    await decide(http, headers["admin_bidang"], case_id, "verify", "valid", timings)
    await decide(http, headers["umkm"], case_id, "ship", "ship", timings,
                 data={"courier": "JNE", "tracking_number": "JNE0012345678"})
    await decide(http, buyer, case_id, "receive", "received", timings)
    await decide(http, headers["umkm"], case_id, "cod_paid", "cod_paid", timings)
    timings["case"].append(time.perf_counter() - started)


async def run_all(count: int, one: Callable[[dict[str, list[float]]], Awaitable[None]]) -> tuple[float, dict]:
    """`count` runs of `one`, CONCURRENCY at a time: the elapsed seconds and the timings."""
    timings: dict[str, list[float]] = {"start": [], "decision": [], "case": []}
    limit = asyncio.Semaphore(CONCURRENCY)

    async def guarded() -> None:
        async with limit:
            await one(timings)

    began = time.perf_counter()
    await asyncio.gather(*(guarded() for _ in range(count)))
    return time.perf_counter() - began, timings


def report(title: str, count: int, unit: str, elapsed: float, timings: dict[str, list[float]]) -> None:
    print(f"{title}: {count} {unit}, concurrency {CONCURRENCY}, {elapsed:.1f} s, {count / elapsed:.1f} {unit}/s")
    for name, values in timings.items():
        print(f"  {name:9s} p50 {statistics.median(values) * 1000:7.1f} ms   p95 {percentile(values, 95) * 1000:7.1f} ms")


async def bench_cases(tmp: Path) -> None:
    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate(url)
    sink = MailSink(path=tmp / "mail.jsonl", port=free_port())
    sink.start()
    settings = Settings(env="test", database_url=url, smtp_host="127.0.0.1", smtp_port=sink.port, task_queue="bench")
    engine = engine_for(url)
    users = {role: make_user(engine, role, agency) for role, agency in
             (("umkm", None), ("admin_bidang", "ponorogo"), ("admin_utama", "ponorogo"))}
    approve_seller(engine, users["umkm"])  # the same account sells in JATHIL MART
    product = add_product(engine, users["umkm"], stock=ORDERS)
    buyers = [make_user(engine, "pembeli") for _ in range(CONCURRENCY)]
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=binary("temporal"),
                                                dev_server_extra_args=dev_server_flags(), ui=False)
    async with env, build_worker(env.client, settings, engine):
        app = create_app(settings, temporal_client=env.client)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as http:
            headers = {role: await token(http, user.email) for role, user in users.items()}
            cases = await run_all(CASES, lambda timings: one_case(http, headers, timings))
            pool: asyncio.Queue = asyncio.Queue()
            for buyer in buyers:
                pool.put_nowait(await token(http, buyer.email))
            orders = await run_all(ORDERS, lambda timings: one_order(http, headers, pool, product, timings))
    sink.stop()
    report("jathil-vendor end to end", CASES, "cases", *cases)
    report("jathil-order COD end to end (place, verify, ship, receive, cod_paid)", ORDERS, "orders", *orders)


def bench_calendar() -> None:
    calendar = default_calendar()
    start = datetime(2027, 3, 5, 8, 0, tzinfo=timezone.utc)
    runs = 20000
    began = time.perf_counter()
    for i in range(runs):
        calendar.add(start, WorkingTime(days=i % 10, minutes=i % 480))
    elapsed = time.perf_counter() - began
    print(f"calendar.add: {runs} deadlines in {elapsed:.2f} s ({elapsed / runs * 1e6:.0f} µs each)")


def main() -> None:
    bench_calendar()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench_cases(Path(tmp)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (API + worker + bench): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
