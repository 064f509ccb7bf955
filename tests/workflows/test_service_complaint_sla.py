"""The complaint's response standard on the time-skipping server: due 3 working days after receipt across a
national holiday, a reminder after 2 working days, an escalation to the head of agency at the deadline, and
the standard ended by the response; the complainant (no account) then rates with the tracking code's actor."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.cases import start_case
from core.config import Settings
from core.db import engine_for, session_scope
from core.messages import Decision, Person
from core.models import Case, CaseEvent, Task
from core.roles import NO_ACCOUNT
from core.users import person
from tests.utils.factories import make_user
from tests.utils.histories import maybe_save_history
from tests.utils.timeskip import events, is_working_day, mails_to, near, scenario_day, skip_to, working_days_after
from tests.utils.waiting import eventually
from worker import build_worker

WIB = ZoneInfo("Asia/Jakarta")
SPAN = "response_time"


def holiday_within_three_working_days(day: date, closed: set[date]) -> bool:
    """A working day followed, within its next three weekdays, by a national holiday on a weekday."""
    return is_working_day(day, closed) and any(
        (day + timedelta(days=n)).weekday() < 5 and day + timedelta(days=n) in closed for n in range(1, 4))


def span_events(engine, case_id: str, kind: str) -> list[CaseEvent]:  # type: ignore[no-untyped-def]
    return [e for e in events(engine, case_id, kind) if e.step == SPAN]


def open_steps(engine, case_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return [t.step for t in session.exec(select(Task).where(Task.case_id == case_id))]


def service_due(engine, case_id: str) -> datetime | None:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.service_due_at


async def test_the_response_is_due_three_working_days_after_receipt_across_a_holiday(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    officer = make_user(engine, "pengelola_pengaduan", "jombang")
    division = make_user(engine, "kepala_bidang", "jombang")
    head = make_user(engine, "kepala_dinas", "jombang")
    other_head = make_user(engine, "kepala_dinas", "sijunjung")
    day, closed = await scenario_day(time_env, holiday_within_three_working_days, within_years=4)
    received = datetime.combine(day, time(10, 0), WIB)
    due, remind = working_days_after(received, 3, closed), working_days_after(received, 2, closed)
    holidays_between = [d for d in closed if received.date() < d < due.date() and d.weekday() < 5]
    assert holidays_between and (due - received) > timedelta(days=3)

    complainant = Person(id=None, name="Siti Aminah", role=NO_ACCOUNT, email="siti.sla@contoh.id")
    data = {"agency": "jombang", "type": "pengaduan", "name": "Siti Aminah", "email": complainant.email,
            "matter": "Loket tutup pada jam layanan.", "channel": "web"}
    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, received)
        case_id = await start_case(time_env.client, settings, engine, sop="service-complaint", applicant=complainant,
                                   data=data, agency="jombang", title="Pengaduan: Loket tutup")
        assert near(service_due(engine, case_id), due)
        await eventually(lambda: mails_to(mail_sink, complainant.email, "Pengaduan Anda diterima"))
        handle = time_env.client.get_workflow_handle(case_id)
        await handle.execute_update("decide", Decision("admin_check", "valid", person(officer)))
        await handle.execute_update("decide", Decision("coordinate", "forward", person(officer),
                                                      data={"role": "kepala_bidang", "question": "Mengapa tutup?"}))
        await eventually(lambda: events(engine, case_id, "forward"))

        await skip_to(time_env, remind - timedelta(minutes=1))
        assert not span_events(engine, case_id, "reminder")
        await skip_to(time_env, remind + timedelta(minutes=1))
        [reminder] = await eventually(lambda: span_events(engine, case_id, "reminder"))
        assert near(reminder.at, remind)
        subject = "Pengingat batas waktu: Batas waktu tanggapan pengaduan"
        await eventually(lambda: mails_to(mail_sink, officer.email, subject))  # remind_also
        await eventually(lambda: mails_to(mail_sink, division.email, subject))  # the open step's role

        await skip_to(time_env, due - timedelta(minutes=1))
        assert not span_events(engine, case_id, "escalation")
        await skip_to(time_env, due + timedelta(minutes=1))
        [escalation] = await eventually(lambda: span_events(engine, case_id, "escalation"))
        assert near(escalation.at, due)
        escalated = "Eskalasi: Batas waktu tanggapan pengaduan"
        await eventually(lambda: mails_to(mail_sink, head.email, escalated))
        await eventually(lambda: mails_to(mail_sink, officer.email, escalated))
        assert not mails_to(mail_sink, other_head.email, escalated)
        with session_scope(engine) as session:
            assert session.get(Case, case_id).overdue  # type: ignore[union-attr]

        # Late, the work goes on: the input comes back, the officer responds, and the standard ends.
        rater = Person(id=None, name=complainant.name, role=NO_ACCOUNT, agency="jombang")  # as the API vouches
        for decision in (Decision("input", "answer", person(division), data={"input": "Sakit."}),
                         Decision("coordinate", "done", person(officer)),
                         Decision("respond", "respond", person(officer),
                                  data={"response": "Mohon maaf, loket kini dijaga bergantian."}),
                         Decision("rate", "rate", rater, data={"rating": 3}),
                         Decision("resolve", "resolved", person(officer), data={"resolution": "Jadwal piket."})):
            await eventually(lambda: decision.step in open_steps(engine, case_id))
            await handle.execute_update("decide", decision)
            if decision.step == "respond":
                await eventually(lambda: mails_to(mail_sink, complainant.email, "Tanggapan atas pengaduan"))
                await eventually(lambda: service_due(engine, case_id) is None)
        result = await handle.result()
        await maybe_save_history(time_env.client, case_id, "service-complaint-escalated")

    assert result["status"] == "completed"
    with session_scope(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.data["rating"] == 3 and not case.overdue
