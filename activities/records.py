"""The case projection: cases, open tasks and append-only events, written by the workflows."""

import asyncio

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select
from temporalio import activity

from core.db import session_scope
from core.messages import CaseSnapshot, EngineActivity, HistoryEvent, OpenStep
from core.models import Case, CaseEvent, Task, utcnow


def _task_rows(snapshot: CaseSnapshot, step: OpenStep) -> list[Task]:
    """One row per open step; a step given to several people has one row per person (each finds it in
    their inbox, any one of them takes it)."""
    assignees = [p.id for p in step.assignees if p.id is not None] or [step.assignee_id]
    return [Task(
        case_id=snapshot.case_id, agency=snapshot.agency, step=step.step, title=step.title, role=step.role,
        assignee_id=assignee_id, queue=step.queue, actions=list(step.actions), started_at=step.started_at,
        due_at=step.due_at, overdue=step.overdue,
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


def write_snapshot(engine: Engine, snapshot: CaseSnapshot) -> None:
    with session_scope(engine) as session:
        if _upsert_case(session, snapshot):
            session.flush()
            session.exec(delete(Task).where(col(Task.case_id) == snapshot.case_id))
            session.add_all(row for s in snapshot.open_steps for row in _task_rows(snapshot, s))
        known = set(session.exec(select(CaseEvent.seq).where(CaseEvent.case_id == snapshot.case_id)).all())
        session.add_all(_event_row(snapshot.case_id, e) for e in snapshot.new_events if e.seq not in known)
        session.commit()


class RecordActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=EngineActivity.RECORD_CASE)
    async def record_case(self, snapshot: CaseSnapshot) -> None:
        await asyncio.to_thread(write_snapshot, self.engine, snapshot)
