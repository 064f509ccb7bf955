"""The unit rule in the engine, not only in the API: staff of one unit inside the agency (e-order: an SKPD)
cannot decide another unit's case even when they reach Temporal some other way. Mocked activities."""

import uuid

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core.messages import CaseStart, Decision, Person
from tests.utils.mocked_engine import MockedActivities, mocked_worker
from tests.utils.throwaway_sop import ThrowawayUnitWorkflow as UnitWorkflow
from workflows.sop import FORBIDDEN


def officer(unit: str | None) -> Person:
    return Person(7, "Petugas", "admin_bidang", "ponorogo", unit=unit)


async def test_staff_of_another_unit_are_refused_by_the_engine(time_env: WorkflowEnvironment) -> None:
    mocked, queue = MockedActivities(), f"mocked-{uuid.uuid4().hex[:8]}"
    async with mocked_worker(time_env, mocked, queue, UnitWorkflow):
        start = CaseStart(case_id=f"throwaway-{uuid.uuid4().hex[:8]}", sop="throwaway", agency="ponorogo",
                          tracking_code="ABCDEFGHJK", applicant=Person(1, "Sri", "umkm"), data={"topic": "skpd-a"})
        handle = await time_env.client.start_workflow(UnitWorkflow.run, start, id=start.case_id, task_queue=queue)
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await handle.execute_update(UnitWorkflow.decide, Decision("handle", "done", officer("skpd-b")))
        assert isinstance(failed.value.cause, ApplicationError) and failed.value.cause.type == FORBIDDEN
        await handle.execute_update(UnitWorkflow.decide, Decision("handle", "done", officer("skpd-a")))
        assert (await handle.result()).status == "completed"
