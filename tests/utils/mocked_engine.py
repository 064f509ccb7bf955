"""The engine's activities, recorded instead of done, for fast workflow tests on the time-skipping server."""

from datetime import timedelta

from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core.messages import CaseSnapshot, DeadlineRequest, Deadlines, EngineActivity, Notice
from worker import WORKFLOW_RUNNER


class MockedActivities:
    """Reminder, deadline and second escalation 1, 2 and 3 hours after the start, whatever the SLA (the
    requests are kept to check it); snapshots and notices kept instead of written and sent."""

    def __init__(self) -> None:
        self.requests: list[DeadlineRequest] = []
        self.snapshots: list[CaseSnapshot] = []
        self.notices: list[Notice] = []

    @activity.defn(name=EngineActivity.COMPUTE_DEADLINES)
    async def compute_deadlines(self, request: DeadlineRequest) -> Deadlines:
        self.requests.append(request)
        hours = [request.start + timedelta(hours=n) for n in (1, 2, 3)]
        return Deadlines(due_at=hours[1], remind_at=hours[0], second_escalation_at=hours[2])

    @activity.defn(name=EngineActivity.RECORD_CASE)
    async def record_case(self, snapshot: CaseSnapshot) -> None:
        self.snapshots.append(snapshot)

    @activity.defn(name=EngineActivity.SEND_NOTICE)
    async def send_notice(self, notice: Notice) -> int:
        self.notices.append(notice)
        return 1

    @activity.defn(name=EngineActivity.SEND_NOTICES)
    async def send_notices(self, notices: list[Notice]) -> int:
        self.notices.extend(notices)
        return len(notices)

    def open_step(self) -> str | None:
        steps = self.snapshots[-1].open_steps if self.snapshots else []
        return steps[0].step if steps else None

    def templates(self, step: str) -> list[str]:
        return [n.template for n in self.notices if f"/{step}#" in n.key]


def mocked_worker(env: WorkflowEnvironment, mocked: MockedActivities, queue: str, workflow: type) -> Worker:
    return Worker(env.client, task_queue=queue, workflows=[workflow], workflow_runner=WORKFLOW_RUNNER,
                  activities=[mocked.compute_deadlines, mocked.record_case, mocked.send_notice,
                              mocked.send_notices])
