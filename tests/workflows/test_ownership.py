"""Who owns a task, in the engine: decisions by signal are refused (their actor came from the caller), and
claim / release / reassign are updates the engine checks and records (the API knows the actor). Mocked
activities on the time-skipping server: fast, no database."""

import uuid
from collections.abc import Awaitable
from dataclasses import replace
from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core.messages import Cancellation, Decision, Person, Reminder, TaskOwner
from tests.utils.mocked_engine import MockedActivities, mocked_worker
from tests.utils.throwaway_sop import ThrowawayWorkflow
from tests.utils.waiting import eventually
from tests.workflows.test_tracking import start
from workflows.sop import DECIDE_SIGNAL_REFUSED, FORBIDDEN, INVALID, NOT_OPEN

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


COLLEAGUE = Person(8, "Petugas Dua", "admin_bidang", "ponorogo")
SUPERVISOR = Person(20, "Supervisor", "supervisor", "ponorogo")
HEAD = Person(21, "Kepala Dinas", "kepala_dinas", "ponorogo")
ELSEWHERE = Person(30, "Petugas Jombang", "admin_bidang", "jombang")


async def step_open(mocked: MockedActivities) -> None:
    """An update sent before the workflow opened its step would meet no open step (NOT_OPEN)."""
    await eventually(lambda: any(s.open_steps for s in mocked.snapshots))


async def refused(call: Awaitable[object]) -> str:
    """The refusal's type (FORBIDDEN, NOT_OPEN, INVALID) of an update the engine turned down."""
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await call
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError)
    return str(cause.type)


async def test_claim_release_and_reassign_are_checked_and_recorded(time_env: WorkflowEnvironment) -> None:
    mocked, queue = MockedActivities(), f"mocked-{uuid.uuid4().hex[:8]}"
    workflow = ThrowawayWorkflow
    async with mocked_worker(time_env, mocked, queue, workflow):
        handle = await start(time_env, queue)
        await step_open(mocked)
        # Another agency's officer, or an applicant, may not claim it.
        assert await refused(handle.execute_update(workflow.claim_task, TaskOwner("handle", ELSEWHERE))) == FORBIDDEN
        await handle.execute_update(workflow.claim_task, TaskOwner("handle", OFFICER))
        [step] = mocked.snapshots[-1].open_steps
        assert step.claimed_by == Person(7, "Petugas Satu", "admin_bidang", "ponorogo")
        # Claimed: a colleague can neither claim it nor decide it, nor release it.
        assert await refused(handle.execute_update(workflow.claim_task, TaskOwner("handle", COLLEAGUE))) == NOT_OPEN
        assert await refused(handle.execute_update(workflow.decide, Decision("handle", "done", COLLEAGUE))) == FORBIDDEN
        assert await refused(handle.execute_update(workflow.release_task, TaskOwner("handle", COLLEAGUE))) == FORBIDDEN
        # A supervisor releases it; the colleague claims it.
        await handle.execute_update(workflow.release_task, TaskOwner("handle", SUPERVISOR))
        assert mocked.snapshots[-1].open_steps[0].claimed_by is None
        await handle.execute_update(workflow.claim_task, TaskOwner("handle", COLLEAGUE))

        # Reassigning: not by an officer; not to another agency's or another role's person.
        to_officer = TaskOwner("handle", SUPERVISOR, assignee=OFFICER)
        assert await refused(handle.execute_update(workflow.reassign_task, replace(to_officer, actor=COLLEAGUE))) \
            == FORBIDDEN
        assert await refused(handle.execute_update(workflow.reassign_task, replace(to_officer, assignee=ELSEWHERE))) \
            == INVALID
        assert await refused(handle.execute_update(workflow.reassign_task, replace(to_officer, assignee=HEAD))) \
            == INVALID
        await handle.execute_update(workflow.reassign_task, to_officer)
        [step] = mocked.snapshots[-1].open_steps
        assert (step.assignee_id, step.assignee_name, step.claimed_by) == (7, "Petugas Satu", None)
        await eventually(lambda: any(n.template == "task" and n.recipients.user_ids == [7] and "@" in n.key
                                     for n in mocked.notices))
        # The colleague who held it may no longer decide it; the new owner does.
        assert await refused(handle.execute_update(workflow.decide, Decision("handle", "done", COLLEAGUE))) == FORBIDDEN
        await handle.execute_update(workflow.decide, Decision("handle", "done", OFFICER))
        result = await handle.result()

    assert result.status == "completed"
    history = [(e.actor.name, e.action) for s in mocked.snapshots for e in s.new_events]
    assert history[1:] == [("Petugas Satu", "claim"), ("Supervisor", "release"), ("Petugas Dua", "claim"),
                           ("Supervisor", "reassign"), ("Petugas Satu", "done")]
    reassigned = next(e for s in mocked.snapshots for e in s.new_events if e.action == "reassign")
    assert reassigned.data["to"]["id"] == 7 and reassigned.data["from"] == []


async def test_the_head_of_agency_cancels_a_waiting_case_with_a_reason(time_env: WorkflowEnvironment) -> None:
    mocked, queue = MockedActivities(), f"mocked-{uuid.uuid4().hex[:8]}"
    workflow = ThrowawayWorkflow
    async with mocked_worker(time_env, mocked, queue, workflow):
        handle = await start(time_env, queue)
        await step_open(mocked)
        await handle.execute_update(workflow.remind_again, Reminder(SUPERVISOR, "k1"))
        await handle.execute_update(workflow.remind_again, Reminder(SUPERVISOR, "k2"))
        assert await refused(handle.execute_update(workflow.remind_again, Reminder(OFFICER, "k3"))) == FORBIDDEN
        assert await refused(handle.execute_update(workflow.cancel_case, Cancellation(SUPERVISOR, "Ganda"))) == FORBIDDEN
        assert await refused(handle.execute_update(workflow.cancel_case, Cancellation(HEAD, "  "))) == INVALID
        done = await handle.execute_update(workflow.cancel_case, Cancellation(HEAD, "Permohonan ganda"))
        assert (done.status, done.stage) == ("cancelled", "Dibatalkan")
        result = await handle.result()

    assert result.status == "cancelled"
    reminders = [n.key for n in mocked.notices if n.template == "reminder"]
    assert len(reminders) == 2 and len(set(reminders)) == 2  # each request its own notice
    last = mocked.snapshots[-1]
    assert (last.status, last.stage, last.open_steps) == ("cancelled", "Dibatalkan", [])
    cancel = [e for s in mocked.snapshots for e in s.new_events if e.action == "cancel"]
    assert [(e.actor.name, e.reason) for e in cancel] == [("Kepala Dinas", "Permohonan ganda")]
    assert any(n.template == "cancelled" and n.context["reason"] == "Permohonan ganda" for n in mocked.notices)
