"""Who owns a task, in the engine: decisions by signal are refused (their actor came from the caller), and
claim / release / reassign are updates the engine checks and records (the API knows the actor). Mocked
activities on the time-skipping server: fast, no database."""

import uuid
from datetime import timedelta

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from core.messages import Decision, Person
from tests.utils.mocked_engine import MockedActivities, mocked_worker
from tests.utils.throwaway_sop import ThrowawayWorkflow
from tests.workflows.test_tracking import start
from workflows.sop import DECIDE_SIGNAL_REFUSED

OFFICER = Person(7, "Petugas Satu", "admin_bidang", "ponorogo")


async def markers(handle: WorkflowHandle) -> list[str]:
    return [str(e.marker_recorded_event_attributes.details) for e in (await handle.fetch_history()).events
            if e.HasField("marker_recorded_event_attributes")]


async def test_a_decision_by_signal_changes_nothing(time_env: WorkflowEnvironment) -> None:
    mocked, queue = MockedActivities(), f"mocked-{uuid.uuid4().hex[:8]}"
    async with mocked_worker(time_env, mocked, queue, ThrowawayWorkflow):
        handle = await start(time_env, queue)
        await handle.signal(ThrowawayWorkflow.decide_signal, Decision("handle", "done", OFFICER))
        await time_env.sleep(timedelta(minutes=5))  # handled: the step is still open, nobody decided it
        assert [s.step for s in await handle.query(ThrowawayWorkflow.open_steps)] == ["handle"]
        assert any(DECIDE_SIGNAL_REFUSED in m for m in await markers(handle))
        await handle.execute_update(ThrowawayWorkflow.decide, Decision("handle", "done", OFFICER))
        result = await handle.result()
    assert result.status == "completed"
    assert [e.action for e in mocked.snapshots[-1].new_events][-1] == "done"
