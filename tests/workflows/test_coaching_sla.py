"""coaching's minute standards on the time-skipping server: the 3-minute registration opened Friday 15:58 is
due Monday 08:01 (office hours 08:00-16:00), reminded at half time (Friday 15:59:30) and escalated to the
secretary; the whole service (1 working day) runs on from the registration's opening; a late Surat Tugas
escalates to the head of division who disposed it."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.mailsink import MailSink
from core.cases import start_case
from core.config import Settings
from core.db import engine_for, session_scope
from core.messages import Decision
from core.models import Case, Task, User
from core.users import person
from tests.utils.factories import make_user
from tests.utils.histories import maybe_save_history
from tests.utils.timeskip import events, is_working_day, mails_to, near, scenario_day, skip_to, working_days_after
from tests.utils.waiting import eventually
from worker import build_worker

WIB = ZoneInfo("Asia/Jakarta")
LETTER = {"applicant_type": "umkm", "organization": "Keripik Sanjai Uni Ros", "letter_number": "07/KSR/2026",
          "letter_date": "2026-08-03", "subject": "Pembinaan pengemasan produk", "address": "Muaro Sijunjung",
          "phone": "6281266001234", "channel": "web"}


def friday_before_a_working_monday(day: date, closed: set[date]) -> bool:
    return day.weekday() == 4 and is_working_day(day, closed) and is_working_day(day + timedelta(days=3), closed)


def open_tasks(engine, case_id: str) -> list[Task]:  # type: ignore[no-untyped-def]
    with session_scope(engine) as session:
        return list(session.exec(select(Task).where(Task.case_id == case_id)))


async def test_a_three_minute_registration_on_friday_1558_is_due_monday_0801(
        time_env: WorkflowEnvironment, settings: Settings, mail_sink: MailSink) -> None:
    engine = engine_for(settings.database_url)
    applicant = make_user(engine, "umkm")
    front = make_user(engine, "front_office", "sijunjung")
    secretary = make_user(engine, "sekretaris", "sijunjung")
    head, back = make_user(engine, "kepala_dinas", "sijunjung"), make_user(engine, "back_office", "sijunjung")
    division, other_division = (make_user(engine, "kepala_bidang", "sijunjung") for _ in range(2))
    section = make_user(engine, "kasi", "sijunjung")
    friday, closed = await scenario_day(time_env, friday_before_a_working_monday)
    opened = datetime.combine(friday, time(15, 58), WIB)
    monday = friday + timedelta(days=3)
    due, remind = datetime.combine(monday, time(8, 1), WIB), datetime.combine(friday, time(15, 59, 30), WIB)

    async with build_worker(time_env.client, settings, engine):
        await skip_to(time_env, opened)
        case_id = await start_case(time_env.client, settings, engine, sop="coaching", applicant=person(applicant),
                                   data=LETTER, agency="sijunjung")
        [task] = open_tasks(engine, case_id)
        assert task.step == "register" and task.role == "front_office" and task.due_at == due
        with session_scope(engine) as session:  # the whole service: 1 working day from the same opening
            assert near(session.get(Case, case_id).service_due_at, working_days_after(opened, 1, closed))

        await skip_to(time_env, remind - timedelta(seconds=20))
        assert not events(engine, case_id, "reminder")
        await skip_to(time_env, remind + timedelta(seconds=20))
        [reminder] = await eventually(lambda: events(engine, case_id, "reminder"))
        assert near(reminder.at, remind)
        await eventually(lambda: mails_to(mail_sink, front.email, "Pengingat batas waktu: Menerima"))
        assert not events(engine, case_id, "escalation")

        await skip_to(time_env, due - timedelta(seconds=30))  # the weekend passes without an escalation
        assert not events(engine, case_id, "escalation")
        await skip_to(time_env, due + timedelta(seconds=30))
        [escalation] = await eventually(lambda: events(engine, case_id, "escalation"))
        assert near(escalation.at, due)
        await eventually(lambda: mails_to(mail_sink, secretary.email, "Eskalasi: Menerima"))
        with session_scope(engine) as session:
            assert session.get(Case, case_id).overdue

        # The front office registers it late (by the `decide` update, as the API sends it); the secretary's step opens.
        handle = time_env.client.get_workflow_handle(case_id)
        await handle.execute_update("decide", Decision("register", "register", person(front), data={"nature": "biasa"}))
        advise = await eventually(lambda: [t for t in open_tasks(engine, case_id) if t.step == "advise"])
        assert advise[0].role == "sekretaris"
        with session_scope(engine) as session:
            assert session.get(Case, case_id).data["agenda_number"] == f"1/{friday.year}"

        # Down the chain to the section head, whose late Surat Tugas goes to the head of division who
        # disposed to them: that person, not every head of division.
        async def decide(step: str, action: str, actor: User, **data: object) -> None:
            await handle.execute_update("decide", Decision(step, action, person(actor), data=data or None))
            await eventually(lambda: events(engine, case_id, action))

        await decide("advise", "advise", secretary, advice="Layak dibina")
        await decide("dispose", "dispose", head, kepala_bidang=division.id, assignee=staff_of(division),
                     instruction="Bina")
        await decide("forward", "forward", back)
        await decide("dispose_section", "dispose_section", division, kasi=section.id, assignee=staff_of(section),
                     instruction="Buat Surat Tugas")
        [assign] = await eventually(lambda: [t for t in open_tasks(engine, case_id) if t.step == "assign"])
        assert assign.assignee_id == section.id
        await skip_to(time_env, assign.due_at + timedelta(seconds=30))
        await eventually(lambda: mails_to(mail_sink, division.email, "Eskalasi: Membuat Surat Tugas"))
        await eventually(lambda: mails_to(mail_sink, section.email, "Eskalasi: Membuat Surat Tugas"))
        assert not mails_to(mail_sink, other_division.email, "Eskalasi")
        await maybe_save_history(time_env.client, case_id, "coaching-escalated")


def staff_of(user: User) -> dict[str, object]:
    """The person the API would resolve from an id or e-mail (the update carries it as it is)."""
    return {"id": user.id, "name": user.name, "role": user.role, "agency": user.agency}
