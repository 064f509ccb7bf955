"""The case projection: cases, open tasks and append-only events, written by the workflows."""

import asyncio

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from temporalio import activity

from core.db import session_scope
from core.messages import CaseSnapshot, EngineActivity, HistoryEvent, OpenStep
from core.models import Case, CaseEvent, Task, utcnow
from core.models_dashboard import StepRun


def _task_rows(snapshot: CaseSnapshot, step: OpenStep) -> list[Task]:
    """One row per open step; a step given to several people has one row per person (each finds it in
    their inbox, any one of them takes it)."""
    assignees = [p.id for p in step.assignees if p.id is not None] or [step.assignee_id]
    claimer = step.claimed_by  # a colleague took it: everyone still sees it, marked with their name
    return [Task(
        case_id=snapshot.case_id, agency=snapshot.agency, step=step.step, title=step.title, role=step.role,
        assignee_id=assignee_id, queue=step.queue, actions=list(step.actions), started_at=step.started_at,
        due_at=step.due_at, overdue=step.overdue, claimed_by_id=claimer.id if claimer else None,
        claimed_by_name=claimer.name if claimer else None,
        delegated_from_name=step.delegated_from.name if step.delegated_from else None,
    ) for assignee_id in assignees]


def _event_row(case_id: str, event: HistoryEvent) -> CaseEvent:
    return CaseEvent(
        case_id=case_id, seq=event.seq, at=event.at, step=event.step, actor_id=event.actor.id,
        actor_name=event.actor.name, actor_role=event.actor.role, action=event.action, reason=event.reason,
        data=event.data,
    )


def _upsert_case(session: Session, snapshot: CaseSnapshot) -> bool:
    """False when a newer version is already stored (a retried or overtaken write)."""
    case = session.get(Case, snapshot.case_id)
    if case is not None and case.version >= snapshot.version:
        return False
    case = case or Case(id=snapshot.case_id, created_at=snapshot.created_at)
    for name in ("sop", "agency", "tracking_code", "applicant_name", "title", "status", "stage",
                 "data", "version", "parent_id", "closed_at"):
        setattr(case, name, getattr(snapshot, name))
    case.applicant_id = snapshot.applicant_id or None  # 0: an applicant without an account
    if snapshot.unit is not None:  # set once from the case data; a case recorded before units keeps its own
        case.unit = snapshot.unit
    case.overdue = any(s.overdue for s in [*snapshot.open_steps, *snapshot.open_spans])
    # The case-level time standard (SpanDef) shown on the case page: the earliest running span's deadline.
    case.service_due_at = min((s.due_at for s in snapshot.open_spans), default=None)
    case.updated_at = utcnow()
    session.add(case)
    return True


def _record_step_runs(session: Session, snapshot: CaseSnapshot) -> None:
    """The dashboard's step runs (core.models_dashboard), one per (case, step, round): each open step
    upserts its row; a row of this case still open but no longer among the open steps is closed at the
    time of its step's newest event in this write (its decision), else at the case's close, else now.
    Called only for a write newer than the stored one, so a retried or overtaken write changes nothing."""
    rows = list(session.exec(select(StepRun).where(StepRun.case_id == snapshot.case_id)).all())
    case = session.get(Case, snapshot.case_id)  # its unit: set once, kept when a later snapshot has none
    by_key = {(r.step, r.round): r for r in rows}
    for step in snapshot.open_steps:
        row = by_key.get((step.step, step.round)) or next(  # a row backfilled from the tasks (round unknown)
            (r for r in rows if r.step == step.step and r.closed_at is None and r.started_at == step.started_at),
            None)
        if row is None:
            row = StepRun(case_id=snapshot.case_id, step=step.step, round=step.round, started_at=step.started_at)
            rows.append(row)
        row.round, row.sop, row.agency, row.unit = step.round, snapshot.sop, snapshot.agency, case.unit
        row.role, row.assignee_id, row.due_at = step.role, step.assignee_id, step.due_at
        row.overdue = step.overdue
        session.add(row)
    still_open = {(s.step, s.round) for s in snapshot.open_steps}
    for row in rows:
        if row.closed_at is not None or (row.step, row.round) in still_open:
            continue
        events = [e for e in snapshot.new_events if e.step == row.step and e.at >= row.started_at]
        last = max(events, key=lambda e: e.seq, default=None)
        row.closed_at = last.at if last else snapshot.closed_at or utcnow()
        row.closing_action = last.action if last else None
        row.overdue = row.overdue or (row.due_at is not None and row.closed_at > row.due_at)
        session.add(row)


def write_snapshot(engine: Engine, snapshot: CaseSnapshot) -> None:
    with session_scope(engine) as session:
        if _upsert_case(session, snapshot):
            session.flush()
            session.exec(delete(Task).where(col(Task.case_id) == snapshot.case_id))
            session.add_all(row for s in snapshot.open_steps for row in _task_rows(snapshot, s))
            _record_step_runs(session, snapshot)
        known = set(session.exec(select(CaseEvent.seq).where(CaseEvent.case_id == snapshot.case_id)).all())
        session.add_all(_event_row(snapshot.case_id, e) for e in snapshot.new_events if e.seq not in known)
        session.commit()


class RecordActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=EngineActivity.RECORD_CASE)
    async def record_case(self, snapshot: CaseSnapshot) -> None:
        await asyncio.to_thread(write_snapshot, self.engine, snapshot)
