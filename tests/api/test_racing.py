"""1,000 decisions racing on 50 cases (double clicks, two officers on one step), while lists are read.

Each step is decided exactly once, every loser gets a 409, the projection equals the workflow's state,
and the other endpoints keep answering meanwhile.
"""

import asyncio
import random

import pytest

from workflows.sop import SopWorkflow
from tests.api.conftest import Api
from tests.api.test_liveness import probe_until
from tests.api.test_jathil_vendor_api import start

CASES = 50
CLICKS_PER_CASE = 20  # 10 per officer: 1,000 decisions in all
pytestmark = pytest.mark.alone
PROBE_LIMIT = 5.0  # seconds for a read while 1,000 decisions are in flight (2 cores)


async def test_racing_decisions_are_taken_exactly_once(api: Api) -> None:
    _, first_h = await api.user("admin_bidang", "ponorogo")
    _, second_h = await api.user("admin_bidang", "ponorogo")
    case_ids = []
    for _ in range(CASES):
        _, applicant_h = await api.user("umkm")
        case_ids.append((await start(api, applicant_h))["id"])

    clicks = [(case_id, headers, action) for case_id in case_ids for n in range(CLICKS_PER_CASE)
              for headers, action in [((first_h, "forward") if n % 2 else (second_h, "return"))]]
    random.Random(7).shuffle(clicks)
    done = asyncio.Event()
    prober = asyncio.create_task(probe_until(done, api, first_h, case_ids[0]))
    answers = await asyncio.gather(*(
        api.decide(h, case_id, "verify", action, reason="Foto KTP buram" if action == "return" else None)
        for case_id, h, action in clicks))
    done.set()
    rounds = await prober

    statuses = [a.status_code for a in answers]
    assert sorted(set(statuses)) == [200, 409], [a.text for a in answers if a.status_code not in (200, 409)][:3]
    assert statuses.count(200) == CASES, statuses.count(200)
    assert max(rounds) < PROBE_LIMIT, rounds

    for case_id in case_ids:
        view = (await api.http.get(f"/api/v1/cases/{case_id}", headers=first_h)).json()
        decisions = [h["action"] for h in view["history"] if h["action"] != "submitted"]
        assert len(decisions) == 1 and decisions[0] in ("forward", "return"), view["history"]
        in_workflow = await api.temporal.get_workflow_handle(case_id).query(SopWorkflow.open_steps)
        assert sorted(s["step"] for s in view["open_steps"]) == sorted(s.step for s in in_workflow)
