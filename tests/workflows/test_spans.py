"""Case-level time standards (SopDefinition.spans): the pure pieces, the projection write, and the engine on
mocked activities on the time-skipping server (fast, no database)."""

import json
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DescribeWorkflowExecutionRequest
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from activities.records import write_snapshot
from api.views import case_view
from core.calendar import WorkingTime
from core.config import Settings
from core.db import session_scope
from core.messages import (
    CaseSnapshot, CaseStart, Decision, OpenSpan, OpenStep, Person,
)
from core.models import Case
from tests.utils import span_sop
from tests.utils.factories import make_user
from tests.utils.mocked_engine import MockedActivities, mocked_worker
from tests.utils.span_sop import SpanTestWorkflow
from tests.utils.waiting import eventually
from workflows import REGISTRY
from workflows.sop import DUE_KEY, OVERDUE_KEY, Action, SopDefinition, SpanDef, StepDef
from workflows.tracking import SlaTimer, due_and_overdue, sla_timers

T0 = datetime(2026, 8, 3, 2, tzinfo=timezone.utc)
OFFICER = Person(7, "Petugas", "admin_bidang", "ponorogo")


def snapshot(steps: list[OpenStep], spans: list[OpenSpan], **extra) -> CaseSnapshot:  # type: ignore[no-untyped-def]
    fields = dict(case_id="span-test-2026-000001", sop="span-test", agency="ponorogo", tracking_code="SPANTEST01",
                  applicant_id=1, applicant_name="Sri", title="uji", status="open", stage="Verifikasi", data={},
                  version=1, created_at=T0, open_steps=steps, open_spans=spans)
    return CaseSnapshot(**{**fields, **extra})


def step(due: datetime | None = None, overdue: bool = False) -> OpenStep:
    return OpenStep(step="verify", title="Verifikasi", role="admin_bidang", actions=["valid"], started_at=T0,
                    due_at=due, overdue=overdue)


def span(due: datetime, overdue: bool = False) -> OpenSpan:
    return OpenSpan(span="service", title="Waktu layanan uji", started_at=T0, due_at=due, overdue=overdue)


# ---- pure pieces --------------------------------------------------------------------------------

def test_due_at_is_the_earliest_of_steps_and_spans_and_a_late_span_makes_the_case_overdue() -> None:
    assert due_and_overdue(snapshot([step()], [])) == (None, False)
    assert due_and_overdue(snapshot([step(T0 + timedelta(hours=8))], [span(T0 + timedelta(days=3))])) == (
        T0 + timedelta(hours=8), False)
    assert due_and_overdue(snapshot([step()], [span(T0 + timedelta(days=3), overdue=True)])) == (
        T0 + timedelta(days=3), True)


def test_a_span_plans_its_timers_like_a_step() -> None:
    view = span(T0 + timedelta(days=3))
    view.remind_at, view.second_escalation_at = T0 + timedelta(days=2), T0 + timedelta(days=4)
    assert sla_timers(view, ("admin_utama",), ("kepala_dinas",)) == [
        SlaTimer(T0 + timedelta(days=2), "reminder"),
        SlaTimer(T0 + timedelta(days=3), "escalation", ("admin_utama",)),
        SlaTimer(T0 + timedelta(days=4), "escalation2", ("kepala_dinas",)),
    ]


def test_old_snapshots_decode_without_spans() -> None:
    assert snapshot([], []).open_spans == [] and CaseSnapshot(**{
        k: v for k, v in vars(snapshot([], [])).items() if k != "open_spans"}).open_spans == []


def test_a_span_must_name_steps_of_its_sop_and_an_id_of_its_own() -> None:
    steps = (StepDef("verify", "Verifikasi", "admin_bidang", "V", (Action("ok", "OK"),)),)
    for bad in (SpanDef("verify", "x", "verify", None, WorkingTime(days=1)),  # a step's id
                SpanDef("finish", "x", "verify", None, WorkingTime(days=1)),  # the engine's own
                SpanDef("service", "x", "ship", None, WorkingTime(days=1)),
                SpanDef("service", "x", "verify", "receive", WorkingTime(days=1))):
        with pytest.raises(ValueError, match=bad.id):
            SopDefinition("x", "X", "ponorogo", steps, spans=(bad,))
    assert SopDefinition("x", "X", "ponorogo", steps, spans=(SpanDef("s", "x", "verify", None, WorkingTime(1)),))


def test_sla_overrides_accept_a_span_id_and_still_refuse_unknown_ones() -> None:
    with REGISTRY.registered(span_sop.SOP):
        assert Settings(sla_overrides={"span-test.service": "2d"}).sla_overrides == {"span-test.service": "2d"}
        with pytest.raises(ValidationError, match="span-test.service"):
            Settings(sla_overrides={"span-test.delivery": "2d"})


def test_the_projection_keeps_the_service_deadline_while_a_span_runs(engine: Engine) -> None:
    applicant = make_user(engine, "umkm")
    due = T0 + timedelta(days=5)
    base = dict(case_id="span-test-2026-000001", applicant_id=applicant.id)
    with REGISTRY.registered(span_sop.SOP):
        write_snapshot(engine, snapshot([step()], [span(due, overdue=True)], **base))
        with session_scope(engine) as session:
            case = session.get(Case, base["case_id"])
            assert case.service_due_at == due and case.overdue  # type: ignore[union-attr]
            assert case_view(session, case).service_due_at == due  # type: ignore[arg-type]
        write_snapshot(engine, snapshot([step()], [], version=2, **base))  # the span ended
        with session_scope(engine) as session:
            case = session.get(Case, base["case_id"])
            assert case.service_due_at is None and not case.overdue  # type: ignore[union-attr]
            assert case_view(session, case).service_due_at is None  # type: ignore[arg-type]


# ---- the engine on mocked activities ------------------------------------------------------------

async def start(env: WorkflowEnvironment, queue: str, **data) -> WorkflowHandle:  # type: ignore[no-untyped-def]
    start = CaseStart(case_id=f"span-test-{uuid.uuid4().hex[:8]}", sop="span-test", agency="ponorogo",
                      tracking_code="SPANTEST01", applicant=Person(1, "Sri", "umkm"), data={"topic": "uji", **data})
    return await env.client.start_workflow(SpanTestWorkflow.run, start, id=start.case_id, task_queue=queue)


async def search_attribute(handle: WorkflowHandle, name: str) -> Any:
    """Read raw: the time-skipping server keeps an unset attribute as an empty value the SDK cannot decode."""
    request = DescribeWorkflowExecutionRequest(namespace=handle._client.namespace,
                                               execution=WorkflowExecution(workflow_id=handle.id))
    described = await handle._client.workflow_service.describe_workflow_execution(request)
    fields = described.workflow_execution_info.search_attributes.indexed_fields
    return json.loads(fields[name].data) if name in fields and fields[name].data else None  # unset: empty


async def decide(handle: WorkflowHandle, step_id: str, action: str) -> None:
    await handle.execute_update(SpanTestWorkflow.decide, Decision(step_id, action, OFFICER))


async def test_a_span_reminds_escalates_across_steps_and_stops_at_its_ending_step(time_env: WorkflowEnvironment) -> None:
    mocked, queue = MockedActivities(), f"mocked-{uuid.uuid4().hex[:8]}"
    async with mocked_worker(time_env, mocked, queue, SpanTestWorkflow):
        handle = await start(time_env, queue)
        started = await time_env.get_current_time()
        await time_env.sleep(timedelta(minutes=90))
        assert mocked.templates("service") == ["reminder"]
        [reminder] = [n for n in mocked.notices if n.template == "reminder"]
        assert reminder.recipients.roles == ["admin_bidang"]  # the actor of the step open now
        assert reminder.context["step_title"] == "Waktu layanan uji"

        await time_env.sleep(timedelta(minutes=60))  # past the span's deadline, 2 h after the start
        assert mocked.templates("service") == ["reminder", "escalation"]
        [escalation] = [n for n in mocked.notices if n.template == "escalation"]
        assert escalation.recipients.roles == ["admin_bidang", "admin_utama"]
        assert escalation.recipients.agency == "ponorogo"
        late = mocked.snapshots[-1]
        assert [s.span for s in late.open_spans] == ["service"] and late.open_spans[0].overdue
        assert not late.open_steps[0].overdue  # the step itself has no deadline
        assert await search_attribute(handle, OVERDUE_KEY.name) is True
        assert abs(datetime.fromisoformat(await search_attribute(handle, DUE_KEY.name)) - late.open_spans[0].due_at) \
            < timedelta(seconds=1)

        await decide(handle, "verify", "valid")  # the span runs on through the next step
        await time_env.sleep(timedelta(minutes=10))
        assert mocked.snapshots[-1].open_steps[0].step == "deliver" and mocked.snapshots[-1].open_spans
        await decide(handle, "deliver", "delivered")  # its ending step closes: the span ends
        await time_env.sleep(timedelta(hours=3))  # past the second escalation it would have had
        ended = mocked.snapshots[-1]
        assert ended.status == "open" and ended.open_steps[0].step == "archive" and ended.open_spans == []
        assert await search_attribute(handle, OVERDUE_KEY.name) is False
        assert await search_attribute(handle, DUE_KEY.name) is None
        await decide(handle, "archive", "done")
        result = await handle.result()

    assert result.status == "completed"
    assert mocked.templates("service") == ["reminder", "escalation"]  # no second escalation
    [span_request] = [r for r in mocked.requests if r.step == "service"]
    assert span_request.sla == WorkingTime(days=3) and abs(span_request.start - started) < timedelta(seconds=5)
    assert span_request.remind_before == WorkingTime(minutes=120)


async def test_the_sop_gives_the_span_length_from_the_case_data(time_env: WorkflowEnvironment) -> None:
    mocked, queue = MockedActivities(), f"mocked-{uuid.uuid4().hex[:8]}"
    async with mocked_worker(time_env, mocked, queue, SpanTestWorkflow):
        handle = await start(time_env, queue, outside=True)
        await eventually(lambda: mocked.open_step() == "verify")
        await decide(handle, "verify", "valid")
        await eventually(lambda: mocked.open_step() == "deliver")
        await decide(handle, "deliver", "delivered")  # before any of the span's timers
        await eventually(lambda: mocked.open_step() == "archive")
        await time_env.sleep(timedelta(hours=4))
        await decide(handle, "archive", "done")
        assert (await handle.result()).status == "completed"

    assert [r.sla for r in mocked.requests if r.step == "service"] == [span_sop.OUTSIDE]
    assert mocked.templates("service") == []  # ended before its reminder: no timer fired
    assert sorted(n.template for n in mocked.notices) == ["approved", "submitted", "survey_invitation", "task", "task",
                                                                  "task"]
