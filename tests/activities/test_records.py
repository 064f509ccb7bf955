"""The case projection on SQLite and PostgreSQL: migrations, idempotent and ordered writes."""

from datetime import datetime, timedelta, timezone

from sqlmodel import select

from activities.records import write_snapshot
from core.db import engine_for, session_scope
from core.messages import CaseSnapshot, HistoryEvent, OpenStep, Person
from core.models import Case, CaseEvent, Task
from core.users import create_user

T0 = datetime(2027, 3, 5, 8, 0, tzinfo=timezone.utc)


def snapshot(applicant_id: int, version: int, stage: str, events: list[HistoryEvent], steps: list[OpenStep],
             status: str = "open") -> CaseSnapshot:
    return CaseSnapshot(
        case_id="jathil-vendor-2027-000001", sop="jathil-vendor", agency="ponorogo", tracking_code="ABCDEFGH23",
        applicant_id=applicant_id, applicant_name="Sri", title="Keripik", status=status, stage=stage,
        data={"business_name": "Keripik"}, version=version, created_at=T0, open_steps=steps, new_events=events,
    )


def event(seq: int, action: str) -> HistoryEvent:
    return HistoryEvent(seq=seq, at=T0 + timedelta(minutes=seq), step="verify", actor=Person(1, "Sri"), action=action)


def verify_step(overdue: bool = False) -> OpenStep:
    return OpenStep(step="verify", title="Verifikasi", role="admin_bidang", actions=["forward"], started_at=T0,
                    due_at=T0 + timedelta(days=3), overdue=overdue)


def test_projection_writes_are_idempotent_and_ordered(database_url: str) -> None:
    engine = engine_for(database_url)
    applicant = create_user(engine, email="sri@contoh.id", name="Sri", role="umkm", password="rahasia-123")
    first = snapshot(applicant.id, 1, "Verifikasi", [event(1, "submitted")], [verify_step()])
    write_snapshot(engine, first)
    write_snapshot(engine, first)  # a retried activity
    second = snapshot(applicant.id, 2, "Verifikasi", [event(2, "escalation")], [verify_step(overdue=True)])
    write_snapshot(engine, second)
    write_snapshot(engine, first)  # an overtaken write arriving late changes nothing
    with session_scope(engine) as session:
        case = session.get(Case, first.case_id)
        assert case.version == 2 and case.overdue and case.created_at == T0
        assert [e.action for e in session.exec(select(CaseEvent).order_by(CaseEvent.seq))] == ["submitted", "escalation"]
        tasks = session.exec(select(Task)).all()
        assert len(tasks) == 1 and tasks[0].overdue and tasks[0].due_at == T0 + timedelta(days=3)

    closed = snapshot(applicant.id, 3, "Disetujui", [event(3, "approve")], [], status="completed")
    write_snapshot(engine, closed)
    with session_scope(engine) as session:
        assert session.exec(select(Task)).all() == []
        assert session.get(Case, first.case_id).status == "completed"
