"""The API stays responsive while decisions cannot be taken: the worker is down, Temporal does not answer.

A decision waits for the workflow at most ALUR_TEMPORAL_TIMEOUT seconds and then answers 503 with
Retry-After; meanwhile no database session is held and the event loop never blocks, so every other
endpoint keeps answering from the projection.
"""

import asyncio
import time

import httpx
import pytest
from sqlmodel import func, select
from temporalio.testing import WorkflowEnvironment

from core.config import Settings
from core.db import session_scope
from core.models import Case
from core.temporal import binary, dev_server_flags
from tests.api.conftest import Api, open_api
from tests.utils.factories import jathil_vendor_form
from worker import build_worker

PENDING = 24  # more than the database pool holds (pool + overflow), as in the reported freeze
pytestmark = pytest.mark.alone
PROBE_LIMIT = 2.0  # seconds: generous for a read, far below the freeze (a 30 s pool wait, then worse)


async def probe_until(done: asyncio.Event, api: Api, headers: dict, case_id: str) -> list[float]:
    """Reads the catalogue, a case and the inbox again and again; returns each round's slowest answer."""
    rounds = []
    while not done.is_set():
        started = time.monotonic()
        for path in ("/api/v1/sops", f"/api/v1/cases/{case_id}", "/api/v1/tasks"):
            response = await api.http.get(path, headers=headers)
            assert response.status_code == 200, (path, response.text)
        rounds.append(time.monotonic() - started)
        await asyncio.sleep(0.1)
    return rounds


async def retry_while_unavailable(api: Api, headers: dict, case_id: str, attempts: int = 15) -> httpx.Response:
    """What an officer does on a 503: reload, and decide again."""
    for _ in range(attempts):
        answer = await api.decide(headers, case_id, "verify", "forward")
        if answer.status_code != 503:
            return answer
    return answer


async def test_pending_decisions_with_the_worker_down_leave_every_endpoint_answering(
        dev_env: WorkflowEnvironment, settings: Settings) -> None:
    settings = settings.model_copy(update={"temporal_timeout": 2.0})
    async with open_api(dev_env, settings, worker=False) as api:
        http, engine = api.http, api.engine
        _, field_h = await api.user("admin_bidang", "ponorogo")
        async with build_worker(dev_env.client, settings, engine):
            case_ids = []
            for _ in range(PENDING):
                _, applicant_h = await api.user("umkm")
                started = await http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(),
                                          headers=applicant_h)
                assert started.status_code == 201, started.text
                case_ids.append(started.json()["id"])
        # The worker is gone: every decision now waits on a workflow that nobody runs.

        done = asyncio.Event()
        prober = asyncio.create_task(probe_until(done, api, field_h, case_ids[0]))
        began = time.monotonic()
        answers = await asyncio.gather(*(api.decide(field_h, c, "verify", "forward") for c in case_ids))
        waited = time.monotonic() - began
        done.set()
        rounds = await prober

        assert [a.status_code for a in answers] == [503] * PENDING, answers[0].text
        assert all(a.headers.get("retry-after") for a in answers)
        assert "belum" in answers[0].json()["detail"]  # Indonesian: the decision may not be saved yet
        assert waited < settings.temporal_timeout + 5, waited
        assert rounds and max(rounds) < PROBE_LIMIT, rounds

        # The worker returns: each decision is taken exactly once, whether the pending update got
        # through or the officer's retry did (a retry of a taken decision is a 409). The first workflow
        # tasks wait out the lost worker's sticky queue, so a retry may meet one more 503 first.
        async with build_worker(dev_env.client, settings, engine):
            for case_id in case_ids:
                retried = await retry_while_unavailable(api, field_h, case_id)
                assert retried.status_code in (200, 409), retried.text
                view = (await http.get(f"/api/v1/cases/{case_id}", headers=field_h)).json()
                assert view["stage"] == "Persetujuan"
                assert [h["action"] for h in view["history"]] == ["submitted", "forward"]


async def test_temporal_down_answers_503_and_creates_nothing(settings: Settings) -> None:
    """A server of its own, stopped mid-test: starts and decisions get 503 + Retry-After, no case row."""
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=binary("temporal"),
                                                dev_server_extra_args=dev_server_flags(), ui=False)
    settings = settings.model_copy(update={"temporal_timeout": 3.0})
    async with open_api(env, settings, worker=False) as api:
        http, engine = api.http, api.engine
        _, field_h = await api.user("admin_bidang", "ponorogo")
        _, applicant_h = await api.user("umkm")
        _, other_h = await api.user("umkm")
        async with build_worker(env.client, settings, engine):
            started = await http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(), headers=applicant_h)
            assert started.status_code == 201, started.text
        await env.shutdown()

        decided = await api.decide(field_h, started.json()["id"], "verify", "forward")
        assert decided.status_code == 503 and decided.headers["retry-after"], decided.text
        refused = await http.post("/api/v1/sops/jathil-vendor/cases", json=jathil_vendor_form(), headers=other_h)
        assert refused.status_code == 503 and refused.headers["retry-after"], refused.text
        assert "tidak tersedia" in refused.json()["detail"]
        with session_scope(engine) as session:
            assert session.exec(select(func.count()).select_from(Case)).one() == 1
        listed = await http.get("/api/v1/cases", headers=field_h)  # lists still answer from the database
        assert listed.status_code == 200 and listed.json()["total"] == 1
