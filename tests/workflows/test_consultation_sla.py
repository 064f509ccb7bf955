"""consultation's time standards on the time-skipping server: the whole service is due 5 working days after
receipt across a national holiday, with a reminder a working day before and an escalation to the head of
the agency, and ends with the report; an incomplete file not completed in 10 working days is cancelled."""

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
SPAN = "service_time"
DATA = {"kind": "konsultasi", "business_name": "Tenun Ikat Pak Harun", "district": "mojoagung",
        "business_address": "Jl. Veteran 3, Mojoagung", "micro_business": True,
        "matter": "Bagaimana mendaftarkan merek tenun kami?", "channel": "langsung"}


def holiday_within_five_working_days(day: date, closed: set[date]) -> bool:
    """A working day followed, within its next five weekdays, by a national holiday on a weekday."""
    return is_working_day(day, closed) and any(
        (day + timedelta(days=n)).weekday() < 5 and day + timedelta(days=n) in closed for n in range(1, 8))


def span_events(engine, case_id: str, kind: str) -> list[CaseEvent]:  # type: ignore[no-untyped-def]
    return [e for e in events(engine, case_id, kind) if e.step == SPAN]


def open_steps(engine, case_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return [t.step for t in session.exec(select(Task).where(Task.case_id == case_id))]


def case_row(engine, case_id: str) -> Case:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


async def test_the_service_is_due_five_working_days_after_receipt_across_a_holiday(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    officer = make_user(engine, "petugas", "jombang")
    head = make_user(engine, "kepala_dinas", "jombang")
    other_head = make_user(engine, "kepala_dinas", "sijunjung")
    day, closed = await scenario_day(time_env, holiday_within_five_working_days, within_years=4)
    received = datetime.combine(day, time(10, 0), WIB)
    due, remind = working_days_after(received, 5, closed), working_days_after(received, 4, closed)
    holidays_between = [d for d in closed if received.date() < d < due.date() and d.weekday() < 5]
    assert holidays_between and (due - received) > timedelta(days=7)

    applicant = Person(id=None, name="Pak Harun", role=NO_ACCOUNT, email="harun.sla@contoh.id")
    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, received)
        case_id = await start_case(time_env.client, settings, engine, sop="consultation", applicant=applicant,
                                   data=DATA, agency="jombang", title="Konsultasi: Tenun Ikat Pak Harun")
        assert near(case_row(engine, case_id).service_due_at, due)
        handle = time_env.client.get_workflow_handle(case_id)
        await handle.execute_update("decide", Decision("check_file", "complete", person(officer)))
        await eventually(lambda: open_steps(engine, case_id) == ["consult"])

        await skip_to(time_env, remind - timedelta(minutes=1))
        assert not span_events(engine, case_id, "reminder")
        await skip_to(time_env, remind + timedelta(minutes=1))
        [reminder] = await eventually(lambda: span_events(engine, case_id, "reminder"))
        assert near(reminder.at, remind)
        subject = "Pengingat batas waktu: Batas waktu layanan fasilitasi"
        await eventually(lambda: mails_to(mail_sink, officer.email, subject))
        assert not mails_to(mail_sink, head.email, subject)

        await skip_to(time_env, due - timedelta(minutes=1))
        assert not span_events(engine, case_id, "escalation")
        await skip_to(time_env, due + timedelta(minutes=1))
        [escalation] = await eventually(lambda: span_events(engine, case_id, "escalation"))
        assert near(escalation.at, due)
        escalated = "Eskalasi: Batas waktu layanan fasilitasi"
        await eventually(lambda: mails_to(mail_sink, head.email, escalated))
        await eventually(lambda: mails_to(mail_sink, officer.email, escalated))  # the open step's role
        assert not mails_to(mail_sink, other_head.email, escalated)
        assert case_row(engine, case_id).overdue

        # Late, the work goes on: the consultation is recorded, the report sent, and the standard ends.
        today = (due + timedelta(minutes=1)).date().isoformat()
        await handle.execute_update("decide", Decision("consult", "consult", person(officer), data={
            "held_on": today, "topics": "Pendaftaran merek", "advice": "Daftarkan merek melalui DJKI."}))
        await eventually(lambda: open_steps(engine, case_id) == ["report"])
        await handle.execute_update("decide", Decision("report", "report", person(officer),
                                                      data={"conclusion": "Arahan pendaftaran merek diberikan."}))
        result = await handle.result()
        await eventually(lambda: mails_to(mail_sink, applicant.email, "Laporan hasil"))
        await maybe_save_history(time_env.client, case_id, "consultation-escalated")

    assert result["status"] == "completed"
    case = case_row(engine, case_id)
    assert case.service_due_at is None and not case.overdue


async def test_an_incomplete_file_not_completed_in_ten_working_days_is_cancelled(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    officer = make_user(engine, "petugas", "jombang")
    applicant = Person(id=None, name="Bu Sulastri", role=NO_ACCOUNT, email="sulastri.sla@contoh.id")
    async with build_worker(time_env.client, settings, engine):
        case_id = await start_case(time_env.client, settings, engine, sop="consultation", applicant=applicant,
                                   data=DATA, agency="jombang", title="Konsultasi: Tenun")
        handle = time_env.client.get_workflow_handle(case_id)
        await handle.execute_update("decide", Decision("check_file", "incomplete", person(officer),
                                                      reason="KTP belum dilampirkan", data={"missing": ["ktp"]}))
        await eventually(lambda: open_steps(engine, case_id) == ["revise"])
        with session_scope(engine) as session:  # without an account: the officer scans what is brought
            task = session.exec(select(Task).where(Task.case_id == case_id)).one()
            assert (task.role, task.assignee_id) == ("petugas", None)
            deadline = task.due_at
        [returned] = await eventually(lambda: mails_to(mail_sink, applicant.email, "perlu dilengkapi"))
        assert "Serahkan berkas tersebut ke kantor" in returned["text"] and "/kasus/" not in returned["text"]
        assert deadline is not None
        await skip_to(time_env, deadline + timedelta(minutes=1))
        result = await handle.result()
        await eventually(lambda: mails_to(mail_sink, applicant.email, "dibatalkan"))
    assert (result["status"], result["stage"]) == ("cancelled", "Dibatalkan")
