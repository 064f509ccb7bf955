"""The dashboard's step runs, written with the case projection: opened, closed at their decision,
one row per round, idempotent under retried and overtaken writes, and the migration's backfill."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import text
from sqlmodel import select

from activities.records import write_snapshot
from core.db import engine_for, session_scope
from core.messages import CaseSnapshot, HistoryEvent, OpenStep, Person
from core.models_dashboard import StepRun
from tests.core.test_migrations import upgrade

T0 = datetime(2027, 3, 5, 1, 0, tzinfo=timezone.utc)  # Friday 08:00 WIB
CASE = "jathil-vendor-2027-000001"


def snapshot(version: int, steps: list[OpenStep], events: list[HistoryEvent], status: str = "open",
             closed_at: datetime | None = None) -> CaseSnapshot:
    return CaseSnapshot(
        case_id=CASE, sop="jathil-vendor", agency="ponorogo", tracking_code="ABCDEFGH23", applicant_id=0,
        applicant_name="Sri", title="Keripik", status=status, stage="Verifikasi", data={}, version=version,
        created_at=T0, open_steps=steps, new_events=events, closed_at=closed_at,
    )


def step(name: str, started: datetime, round_: int = 1, overdue: bool = False, due: timedelta | None = None) -> OpenStep:
    return OpenStep(step=name, title=name.title(), role="admin_bidang", actions=["forward"], started_at=started,
                    round=round_, assignee_id=None, due_at=started + (due or timedelta(days=1)), overdue=overdue)


def event(seq: int, at: datetime, name: str, action: str) -> HistoryEvent:
    return HistoryEvent(seq=seq, at=at, step=name, actor=Person(7, "Budi", "admin_bidang"), action=action)


def runs(engine) -> list[tuple]:
    with session_scope(engine) as session:
        rows = session.exec(select(StepRun).order_by(StepRun.started_at, StepRun.step)).all()
        return [(r.step, r.round, r.started_at, r.closed_at, r.closing_action, r.overdue) for r in rows]


def test_steps_open_close_and_reopen_in_rounds(sqlite_url: str) -> None:
    engine = engine_for(sqlite_url)
    t1, t2, t3, t4 = (T0 + timedelta(hours=h) for h in (2, 5, 30, 31))
    first = snapshot(1, [step("verify", T0)], [event(1, T0, "submit", "submitted")])
    write_snapshot(engine, first)
    assert runs(engine) == [("verify", 1, T0, None, None, False)]

    # Returned to the applicant: verify closes at its decision's time, revise opens.
    returned = snapshot(2, [step("revise", t1)], [event(2, t1, "verify", "return")])
    write_snapshot(engine, returned)
    write_snapshot(engine, returned)  # a retried write
    write_snapshot(engine, first)  # an overtaken write arriving late: changes nothing
    assert runs(engine) == [("verify", 1, T0, t1, "return", False), ("revise", 1, t1, None, None, False)]

    # Resubmitted: verify opens again as round 2; it runs late and is escalated.
    again = snapshot(3, [step("verify", t2, round_=2)], [event(3, t2, "revise", "resubmit")])
    write_snapshot(engine, again)
    late = snapshot(4, [step("verify", t2, round_=2, overdue=True)], [event(4, t3, "verify", "escalation")])
    write_snapshot(engine, late)
    # Approved: the case closes; the closing action is the decision, not the escalation before it.
    closed = snapshot(5, [], [event(5, t4, "verify", "approve")], status="completed", closed_at=t4)
    write_snapshot(engine, closed)
    write_snapshot(engine, late)
    assert runs(engine) == [("verify", 1, T0, t1, "return", False), ("revise", 1, t1, t2, "resubmit", False),
                            ("verify", 2, t2, t4, "approve", True)]


def test_a_step_closed_without_an_event_of_its_own_closes_with_the_case(sqlite_url: str) -> None:
    engine = engine_for(sqlite_url)
    write_snapshot(engine, snapshot(1, [step("verify", T0, due=timedelta(hours=1))], []))
    cancelled_at = T0 + timedelta(hours=3)
    write_snapshot(engine, snapshot(2, [], [event(1, cancelled_at, "finish", "cancel")], status="cancelled",
                                    closed_at=cancelled_at))
    # Closed after its deadline: overdue, though never escalated.
    assert runs(engine) == [("verify", 1, T0, cancelled_at, None, True)]


def test_the_migration_backfills_open_steps_and_the_writer_adopts_them(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'alur.db'}"
    upgrade(url, "0012_accounts")
    engine = engine_for(url)
    # The projection before step runs (an applicant without an account): the step open in its round 3,
    # given to two people.
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO cases (id, sop, agency, tracking_code, applicant_id, applicant_name, title, status, stage, "
            "data, overdue, version, created_at, updated_at) VALUES (:id, 'jathil-vendor', 'ponorogo', 'ABCDEFGH23', "
            "NULL, 'Sri', 'Keripik', 'open', 'Verifikasi', '{}', 0, 6, :t, :t)"), {"id": CASE, "t": T0.replace(tzinfo=None)})
        for assignee in (11, 12):
            connection.execute(text(
                "INSERT INTO tasks (case_id, agency, step, title, role, assignee_id, actions, started_at, due_at, "
                "overdue) VALUES (:c, 'ponorogo', 'verify', 'Verifikasi', 'admin_bidang', :a, '[]', :s, :d, 1)"),
                {"c": CASE, "a": assignee, "s": T0.replace(tzinfo=None), "d": (T0 + timedelta(days=1)).replace(tzinfo=None)})
    upgrade(url, "0013_step_runs")
    assert runs(engine) == [("verify", 1, T0, None, None, True)]
    with session_scope(engine) as session:
        assert session.exec(select(StepRun.assignee_id)).all() == [11]

    # The next write (on the whole schema) sees the step open in round 3: the backfilled row becomes that
    # round's, no second row.
    upgrade(url, "heads")
    write_snapshot(engine, snapshot(7, [step("verify", T0, round_=3, overdue=True)], []))
    assert runs(engine) == [("verify", 3, T0, None, None, True)]
