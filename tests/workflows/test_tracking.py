"""The engine's two small helpers on their own, and the engine with mocked activities (fast, no database)."""

import uuid
from datetime import datetime, timedelta, timezone

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from core.messages import (
    CaseStart, Decision, OpenStep, Person,
)
from tests.utils.mocked_engine import MockedActivities, mocked_worker
from tests.utils.throwaway_sop import ThrowawayWorkflow
from workflows.tracking import SlaTimer, WriteTracker, sla_timers

T0 = datetime(2026, 8, 3, 9, tzinfo=timezone.utc)


def test_a_decision_is_written_only_by_a_write_begun_after_it_was_applied() -> None:
    writes = WriteTracker()
    ticket = writes.take_ticket()
    consumed_before = writes.consumed  # a flush that began before the script applied the decision
    writes.begin_write()
    writes.end_io()
    writes.mark_written(consumed_before)
    assert not writes.is_written(ticket)
    writes.consume(ticket)
    writes.changed()
    consumed = writes.consumed
    assert writes.begin_write() == 2  # each write carries the next version
    assert not writes.settled()  # still writing
    writes.end_io()
    writes.mark_written(consumed)
    assert writes.is_written(ticket) and writes.settled()


def test_settled_waits_for_document_writes_and_later_changes() -> None:
    writes = WriteTracker(dirty=False)
    assert writes.settled()
    writes.begin_io()
    assert not writes.settled()
    writes.end_io()
    writes.changed()
    assert not writes.settled()  # documents listed: the next projection write must include them
    writes.begin_write()
    writes.end_io()
    assert writes.settled()


def test_sla_timers_fire_in_order_and_skip_what_is_not_configured() -> None:
    view = OpenStep(step="verify", title="", role="admin_bidang", actions=[], started_at=T0,
                    due_at=T0 + timedelta(hours=8), remind_at=T0 + timedelta(hours=6))
    assert sla_timers(view, ("admin_utama",), ("kepala_dinas",)) == [
        SlaTimer(T0 + timedelta(hours=6), "reminder"),
        SlaTimer(T0 + timedelta(hours=8), "escalation", ("admin_utama",)),
    ]
    view.second_escalation_at = T0 + timedelta(hours=16)
    assert [t.kind for t in sla_timers(view, (), ("kepala_dinas",))] == ["reminder", "escalation", "escalation2"]


async def start(env: WorkflowEnvironment, queue: str) -> WorkflowHandle:
    start = CaseStart(case_id=f"throwaway-{uuid.uuid4().hex[:8]}", sop="throwaway", agency="ponorogo",
                      tracking_code="ABCDEFGHJK", applicant=Person(1, "Sri", "umkm"), data={"topic": "uji"})
    return await env.client.start_workflow(ThrowawayWorkflow.run, start, id=start.case_id, task_queue=queue)


async def test_timers_escalate_and_the_projection_versions_grow(time_env: WorkflowEnvironment) -> None:
    mocked, queue = MockedActivities(), f"mocked-{uuid.uuid4().hex[:8]}"
    async with mocked_worker(time_env, mocked, queue, ThrowawayWorkflow):
        handle = await start(time_env, queue)
        await time_env.sleep(timedelta(hours=4))
        officer = Person(7, "Petugas", "admin_bidang", "ponorogo")
        await handle.execute_update(ThrowawayWorkflow.decide, Decision("handle", "done", officer))
        result = await handle.result()

    assert result.status == "completed"
    templates = [n.template for n in mocked.notices]
    # The first two are sent side by side (both scheduled in the first workflow task): either may land first.
    assert sorted(templates[:2]) == ["submitted", "task"]
    assert templates[2:5] == ["reminder", "escalation", "escalation2"]
    assert sorted(templates[5:]) == ["approved", "survey_invitation"]  # the closing notices, side by side
    versions = [s.version for s in mocked.snapshots]
    assert versions == sorted(set(versions)) and versions[0] == 1  # every write a new, higher version
    assert mocked.snapshots[-1].status == "completed" and mocked.snapshots[-1].open_steps == []
    overdue = [s.open_steps[0].overdue for s in mocked.snapshots if s.open_steps]
    assert overdue[0] is False and overdue[-1] is True  # flagged at the escalation
