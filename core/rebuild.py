"""`alur rebuild-projection`: the cases, tasks and case events tables rebuilt from Temporal, and the
dashboard's step runs of the open steps.

Temporal holds each case's state; the database is only its projection. Every case of the task queue
(workflows carrying the AlurSop search attribute) is asked for its `snapshot` (workflows/sop.py): a
running case answers from memory, a closed one by replaying its history on a worker, for as long as
the namespace retains it. A case's rows are rewritten only where they differ from that snapshot, so a
second run changes nothing. A worker must be running: it answers the queries.
"""

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError

from activities.records import _event_row, _record_step_runs, _task_rows
from core.db import session_scope
from core.messages import CaseSnapshot
from core.models import Case, CaseEvent, Task, utcnow
from core.models_dashboard import StepRun

QUERY_CONCURRENCY = 8
QUERY_TIMEOUT = 30.0  # seconds per case: a closed case is replayed by a worker to answer
CASE_FIELDS = ("sop", "agency", "tracking_code", "applicant_name", "title", "status", "stage", "data",
               "version", "parent_id", "closed_at", "created_at")
TASK_FIELDS = ("step", "title", "role", "assignee_id", "queue", "actions", "started_at", "due_at", "overdue", "agency")
EVENT_FIELDS = ("at", "step", "actor_id", "actor_name", "actor_role", "action", "reason", "data")

UNCHANGED, REBUILT, NEWER = "unchanged", "rebuilt", "newer"


@dataclass
class RebuildReport:
    counts: Counter = field(default_factory=Counter)  # unchanged / rebuilt / newer per case
    failed: dict[str, str] = field(default_factory=dict)  # case id -> why it could not be read

    def line(self) -> str:
        parts = [f"{self.counts[k]} {k}" for k in (REBUILT, UNCHANGED, NEWER)]
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return f"{sum(self.counts.values()) + len(self.failed)} cases: " + ", ".join(parts)


def case_query(task_queue: str) -> str:
    """The cases of one task queue; a run that continued as new is represented by its successor."""
    return f'TaskQueue = "{task_queue}" AND AlurSop IS NOT NULL AND ExecutionStatus != "ContinuedAsNew"'


async def case_ids(client: Client, task_queue: str) -> list[str]:
    seen: dict[str, None] = {}
    async for execution in client.list_workflows(case_query(task_queue)):
        if execution.status != WorkflowExecutionStatus.CONTINUED_AS_NEW:
            seen.setdefault(execution.id, None)
    return list(seen)


async def read_snapshot(client: Client, case_id: str) -> CaseSnapshot:
    handle = client.get_workflow_handle(case_id)
    return await asyncio.wait_for(handle.query("snapshot", result_type=CaseSnapshot), QUERY_TIMEOUT)


def _same(row: object, expected: object, names: tuple[str, ...]) -> bool:
    return all(getattr(row, n) == getattr(expected, n) for n in names)


def _task_set(tasks: "list[Task] | tuple[Task, ...]") -> list[tuple]:
    """The open tasks as comparable values, in a fixed order (row ids aside)."""
    return sorted((tuple(getattr(t, n) for n in TASK_FIELDS) for t in tasks), key=repr)


def _case_values(snapshot: CaseSnapshot) -> dict:
    """What records.write_snapshot stores for the case row (updated_at aside)."""
    values = {name: getattr(snapshot, name) for name in CASE_FIELDS}
    values["applicant_id"] = snapshot.applicant_id or None
    values["overdue"] = any(s.overdue for s in [*snapshot.open_steps, *snapshot.open_spans])
    values["service_due_at"] = min((s.due_at for s in snapshot.open_spans), default=None)
    if snapshot.unit is not None:
        values["unit"] = snapshot.unit
    return values


def restore_case(session: Session, snapshot: CaseSnapshot) -> str:
    """Makes the case's rows equal to `snapshot`; REBUILT when anything was written."""
    case = session.get(Case, snapshot.case_id)
    if case is not None and case.version > snapshot.version:
        return NEWER  # the worker wrote a later transition meanwhile: that one stands
    changed = case is None
    case = case or Case(id=snapshot.case_id)
    for name, value in _case_values(snapshot).items():
        if getattr(case, name, None) != value:
            setattr(case, name, value)
            changed = True
    if changed:
        case.updated_at = utcnow()
        session.add(case)
        session.flush()  # the case row before the rows that refer to it

    expected_tasks = [row for step in snapshot.open_steps for row in _task_rows(snapshot, step)]
    stored_tasks = session.exec(select(Task).where(Task.case_id == snapshot.case_id)).all()
    if _task_set(stored_tasks) != _task_set(expected_tasks):
        session.exec(delete(Task).where(col(Task.case_id) == snapshot.case_id))  # type: ignore[call-overload]
        session.add_all(expected_tasks)
        changed = True

    changed |= _restore_step_runs(session, snapshot)

    events = {e.seq: _event_row(snapshot.case_id, e) for e in snapshot.new_events}
    for stored in session.exec(select(CaseEvent).where(CaseEvent.case_id == snapshot.case_id)):
        expected = events.pop(stored.seq, None)
        if expected is None:
            session.delete(stored)  # not in the case's history
            changed = True
        elif not _same(stored, expected, EVENT_FIELDS):
            for name in EVENT_FIELDS:
                setattr(stored, name, getattr(expected, name))
            session.add(stored)
            changed = True
    if events:
        session.add_all(events.values())
        changed = True
    session.commit()
    return REBUILT if changed else UNCHANGED


def _restore_step_runs(session: Session, snapshot: CaseSnapshot) -> bool:
    """The dashboard's runs of the open steps, and the closing of runs no longer open (from the whole
    history); runs that opened and closed while the table was lost cannot be told again (a snapshot keeps
    when a step closed, not when it opened). True when anything was written."""
    def runs() -> set[tuple]:
        rows = session.exec(select(StepRun).where(StepRun.case_id == snapshot.case_id)).all()
        return {(r.step, r.round, r.started_at, r.due_at, r.closed_at, r.assignee_id) for r in rows}

    before = runs()
    _record_step_runs(session, snapshot)
    session.flush()
    return runs() != before


def write_restored(engine: Engine, snapshot: CaseSnapshot) -> str:
    with session_scope(engine) as session:
        return restore_case(session, snapshot)


async def rebuild_projection(client: Client, engine: Engine, task_queue: str) -> RebuildReport:
    """Rebuilds every case of `task_queue` from Temporal; idempotent."""
    report = RebuildReport()
    limit = asyncio.Semaphore(QUERY_CONCURRENCY)

    async def one(case_id: str) -> None:
        async with limit:
            try:
                snapshot = await read_snapshot(client, case_id)
            except (RPCError, TimeoutError) as error:
                report.failed[case_id] = str(error) or type(error).__name__
                return
        report.counts[await asyncio.to_thread(write_restored, engine, snapshot)] += 1

    await asyncio.gather(*(one(case_id) for case_id in await case_ids(client, task_queue)))
    return report
