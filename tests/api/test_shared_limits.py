"""Abuse limits shared by several API processes: two apps on one database file, this test's and one in an
OS process of its own (as two processes behind a load balancer), count the same failed logins, public
starts and account e-mails, and an account's start of an SOP is one at a time across both."""

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from temporalio.testing import WorkflowEnvironment

from api.claims import STILL_STARTING, claim, one_start_at_a_time, release
from activities.mailsink import MailSink
from api.errors import ApiError
from api.ratelimit import RateLimiter
from api.throttle import LoginThrottle
from core.config import Settings
from core.db import engine_for
from core.models_limits import LoginFailures, RateHit, StartClaim
from tests.api.conftest import open_api
from tests.conftest import free_port
from tests.faults.conftest import ROOT, address_of, alur_env, stop
from tests.utils.waiting import eventually
from tests.utils.eorder import VENDOR
from tests.utils.factories import PASSWORD, make_user

PUBLIC_START = "/api/v1/sops/service-complaint/cases"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def same_file_other_engine(url: str) -> str:
    """The same SQLite file under another URL: engine_for gives it an engine (and pool) of its own."""
    head, _, name = url.rpartition("/")
    return f"{head}/./{name}"


@asynccontextmanager
async def other_process(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A second API on the same database in an OS process of its own (`uvicorn api.main:app`, which calls
    create_app), as another process behind the load balancer: nothing in memory is shared with this one."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning"]
    environ = alur_env(settings, address_of(env.client),
                       ALUR_PUBLIC_STARTS_PER_HOUR=str(settings.public_starts_per_hour))
    process = subprocess.Popen(command, cwd=ROOT, env=environ, stdin=subprocess.DEVNULL)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await eventually(lambda: answers(f"http://127.0.0.1:{port}") or process.poll() is not None, 60)
            assert process.poll() is None, "the second API did not start"
            yield http
    finally:
        stop(process)


def answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/api/v1/sops", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture
def sqlite_settings(settings: Settings, sqlite_url: str) -> Settings:
    return settings.model_copy(update={"database_url": sqlite_url, "public_starts_per_hour": 2})


async def test_failed_logins_on_one_process_throttle_the_other(dev_env: WorkflowEnvironment,
                                                               sqlite_settings: Settings) -> None:
    async with open_api(dev_env, sqlite_settings, worker=False) as first, \
            other_process(dev_env, sqlite_settings) as second:
        user = make_user(first.engine, "umkm")
        wrong = {"username": user.email, "password": "salah-terus"}
        for n in range(5):  # alternating, as a load balancer would spread them
            answer = await (first.http if n % 2 else second).post("/api/v1/auth/token", data=wrong)
            assert answer.status_code == 401
        for http in (first.http, second):
            blocked = await http.post("/api/v1/auth/token", data={"username": user.email, "password": PASSWORD})
            assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        with Session(first.engine) as session:
            counted = {row.key: row.failures for row in session.exec(select(LoginFailures))}
        assert counted[f"account:{user.email}"] == 5


async def test_public_starts_are_counted_across_processes(dev_env: WorkflowEnvironment,
                                                          sqlite_settings: Settings) -> None:
    async with open_api(dev_env, sqlite_settings) as first, other_process(dev_env, sqlite_settings) as second:
        form = {"agency": "jombang", "type": "pengaduan", "name": "Siti Aminah", "email": "siti@contoh.id",
                "matter": "Petugas loket tidak ada di tempat pada jam layanan, Senin pukul 10.00."}
        assert (await first.http.post(PUBLIC_START, json=form)).status_code == 201
        assert (await second.post(PUBLIC_START, json=form)).status_code == 201
        for http in (first.http, second):  # two an hour from this address, whichever process answers
            limited = await http.post(PUBLIC_START, json=form)
            assert limited.status_code == 429 and 0 < int(limited.headers["retry-after"]) <= 3600


async def test_account_mails_are_counted_across_processes(dev_env: WorkflowEnvironment, sqlite_settings: Settings,
                                                          mail_sink: MailSink) -> None:
    from api.accounts import MAILS_PER_EMAIL

    async with open_api(dev_env, sqlite_settings, worker=False) as first, \
            other_process(dev_env, sqlite_settings) as second:
        user = make_user(first.engine, "umkm")
        for n in range(MAILS_PER_EMAIL + 2):
            answer = await (first.http if n % 2 else second).post("/api/v1/auth/password/forgot",
                                                                   json={"email": user.email})
            assert answer.status_code == 202, answer.text
        assert len([m for m in mail_sink.messages() if m["to"] == user.email]) == MAILS_PER_EMAIL


async def test_a_double_click_spread_over_two_processes_opens_one_registration(
        dev_env: WorkflowEnvironment, sqlite_settings: Settings) -> None:
    async with open_api(dev_env, sqlite_settings) as first, other_process(dev_env, sqlite_settings) as second:
        body = {"skpd": "141732", "pkt": False}
        _, warm_h = await first.user("umkm")  # the second process connects to Temporal on its first start
        assert (await second.post(VENDOR, json=body, headers=warm_h)).status_code == 201
        for _ in range(3):
            _, applicant_h = await first.user("umkm")
            answers = await asyncio.gather(first.http.post(VENDOR, json=body, headers=applicant_h),
                                           second.post(VENDOR, json=body, headers=applicant_h))
            assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
            assert (await second.get("/api/v1/cases", headers=applicant_h)).json()["total"] == 1
        with Session(first.engine) as session:
            assert session.exec(select(StartClaim)).all() == []  # both let go


def test_login_failures_and_hits_of_two_processes_meet_and_are_cleaned_by_either(sqlite_url: str) -> None:
    clock = Clock()
    engines = [engine_for(sqlite_url), engine_for(same_file_other_engine(sqlite_url))]
    throttles = [LoginThrottle(engine, clock=clock) for engine in engines]
    limiters = [RateLimiter(engine, "test", limit=3, window=60, clock=clock) for engine in engines]
    for n in range(5):
        throttles[n % 2].failed("account:a", "address:x")
    assert throttles[0].wait("account:a") == throttles[1].wait("address:x") == 2
    assert [limiters[n % 2].hit("10.0.0.1") for n in range(4)] == [0, 0, 0, 60]
    clock.now += 24 * 3600
    assert throttles[1].sweep() == 2 and limiters[1].sweep() == 3  # what the other process wrote, too
    assert count(engines[0], LoginFailures) == 0 and count(engines[0], RateHit) == 0


def count(engine: Engine, model: type) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


async def test_a_start_claim_waits_for_its_holder_and_a_stale_one_is_taken_over(engine: Engine) -> None:
    assert claim(engine, "eorder-vendor", 7, "first", now=1000.0, stale=60)
    assert not claim(engine, "eorder-vendor", 7, "second", now=1030.0, stale=60)  # held
    assert claim(engine, "eorder-product", 7, "second", now=1030.0, stale=60)  # another SOP
    release(engine, "eorder-vendor", 7, "second")  # not its claim: nothing released
    assert not claim(engine, "eorder-vendor", 7, "third", now=1031.0, stale=60)
    assert claim(engine, "eorder-vendor", 7, "third", now=1060.0, stale=60)  # its holder died a minute ago
    with pytest.raises(ApiError) as refused:  # a start that cannot wait for it
        async with one_start_at_a_time(engine, "eorder-vendor", 7, wait=0, stale=60, clock=lambda: 1061.0):
            pass
    assert refused.value.status == 409 and refused.value.detail == STILL_STARTING
    release(engine, "eorder-vendor", 7, "third")
    async with one_start_at_a_time(engine, "eorder-vendor", 7, wait=0, stale=60, clock=lambda: 1062.0):
        assert count(engine, StartClaim) == 2  # this one and the other SOP's
    assert count(engine, StartClaim) == 1
